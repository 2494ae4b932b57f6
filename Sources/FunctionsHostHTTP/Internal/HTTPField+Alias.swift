internal import Hummingbird

/// `HTTPTypes.HTTPField`, reached through Hummingbird's re-exported `HTTPFields` so this target
/// needs no direct dependency on swift-http-types.
typealias HTTPField = HTTPFields.Element
