internal import Hummingbird

/// `HTTPTypes.HTTPField`, reached through Hummingbird's re-exported `HTTPFields` so this target
/// needs no direct dependency on swift-http-types.
typealias HTTPField = HTTPFields.Element

extension HTTPField.Name {
  static let xMsRequestID = Self("x-ms-request-id")!
  static let xMsClientRequestID = Self("x-ms-client-request-id")!
  static let xMsVersion = Self("x-ms-version")!
  static let xMsErrorCode = Self("x-ms-error-code")!
  static let xMsDate = Self("x-ms-date")!
  static let xMsRange = Self("x-ms-range")!
  static let xMsBlobType = Self("x-ms-blob-type")!
  static let xMsBlobPublicAccess = Self("x-ms-blob-public-access")!
  static let xMsBlobContentType = Self("x-ms-blob-content-type")!
  static let xMsBlobContentEncoding = Self("x-ms-blob-content-encoding")!
  static let xMsBlobContentLanguage = Self("x-ms-blob-content-language")!
  static let xMsBlobContentDisposition = Self("x-ms-blob-content-disposition")!
  static let xMsBlobCacheControl = Self("x-ms-blob-cache-control")!
  static let xMsBlobContentMD5 = Self("x-ms-blob-content-md5")!
  static let xMsCreationTime = Self("x-ms-creation-time")!
  static let xMsLeaseStatus = Self("x-ms-lease-status")!
  static let xMsLeaseState = Self("x-ms-lease-state")!
  static let xMsServerEncrypted = Self("x-ms-server-encrypted")!
  static let xMsRequestServerEncrypted = Self("x-ms-request-server-encrypted")!
  static let xMsHasImmutabilityPolicy = Self("x-ms-has-immutability-policy")!
  static let xMsHasLegalHold = Self("x-ms-has-legal-hold")!
  static let xMsCopySource = Self("x-ms-copy-source")!
  static let xMsApproximateMessagesCount = Self("x-ms-approximate-messages-count")!
  static let xMsPopReceipt = Self("x-ms-popreceipt")!
  static let xMsTimeNextVisible = Self("x-ms-time-next-visible")!
  static let xMsSkuName = Self("x-ms-sku-name")!
  static let xMsAccountKind = Self("x-ms-account-kind")!
  static let xMsIsHNSEnabled = Self("x-ms-is-hns-enabled")!
  static let contentMD5 = Self("content-md5")!
  static let rangeHeader = Self("range")!
}

extension HTTPFields {
  /// `x-ms-meta-*` headers as metadata: names as sent (case kept), without the prefix.
  var metadata: [String: String] {
    var result: [String: String] = [:]
    for field in self where field.name.canonicalName.hasPrefix("x-ms-meta-") {
      let name = String(field.name.rawName.dropFirst("x-ms-meta-".count))
      guard !name.isEmpty else { continue }
      if let existing = result[name] {
        result[name] = existing + "," + field.value
      } else {
        result[name] = field.value
      }
    }
    return result
  }

  /// Adds one `x-ms-meta-<name>` header per entry (names that are not valid header names are skipped).
  mutating func setMetadata(_ metadata: [String: String]) {
    for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
      guard let fieldName = HTTPField.Name("x-ms-meta-" + name) else { continue }
      append(HTTPField(name: fieldName, value: value))
    }
  }
}
