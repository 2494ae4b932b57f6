public import FunctionsRPC

/// The protocol's envelope type.
package typealias StreamingMessage = AzureFunctionsRpcMessages_StreamingMessage
/// A typed value on the wire.
package typealias TypedData = AzureFunctionsRpcMessages_TypedData
