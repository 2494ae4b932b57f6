package import Foundation
package import FunctionsRPC
package import FunctionsStorage
package import FunctionsHostCore

/// The binding data of a blob-triggered invocation (reference §3.2; NET `BlobTriggerBinding`):
///
/// | key | wire | value |
/// |---|---|---|
/// | `BlobTrigger` | string | `container/name` |
/// | `Uri` | json | the blob URI as a JSON string |
/// | `Properties` | json | object, PascalCase (see ``propertiesJSON(_:)``) |
/// | `Metadata` | json | the user metadata object |
/// | each path capture | string | e.g. `name` from `samples/{name}.png` |
/// | `sys` | json | ``SystemBindingData`` |
///
/// Captures are applied after the four standard keys and win on a (case-insensitive) clash, as in
/// stock; `sys` is applied last.
package enum BlobTriggerMetadata {
  /// Builds the metadata of one blob.
  package static func make(
    properties: BlobProperties, uri: String, captures: [String: String], sys: SystemBindingData
  ) -> TriggerBindingData {
    var data = TriggerBindingData()
    data.set("BlobTrigger", .string(properties.container + "/" + properties.name))
    data.set("Uri", .json(.string(uri)))
    var wireProperties = AzureFunctionsRpcMessages_TypedData()
    wireProperties.json = propertiesJSON(properties)
    data.set("Properties", .json(propertiesValue(properties)), wire: wireProperties)
    data.set("Metadata", .json(.object(properties.metadata.mapValues { .string($0) })))
    for key in captures.keys.sorted() {
      data.set(key, .string(captures[key]!))
    }
    data.setSystem(sys)
    return data
  }

  /// Builds the metadata of one blob, making the `sys` entry from its parts.
  package static func make(
    properties: BlobProperties, uri: String, captures: [String: String], methodName: String,
    now: Date, randGuid: String
  ) -> TriggerBindingData {
    make(
      properties: properties, uri: uri, captures: captures,
      sys: SystemBindingData(methodName: methodName, utcNow: now, randGuid: randGuid))
  }

  /// The `Properties` JSON text, members in this order: `LastModified`, `CreatedOn` (``WireDate``
  /// strings), `Metadata`, `BlobType` (`"BlockBlob"`), `ContentLength` (number), `ContentType`,
  /// `ETag` (as stored, quotes included), `ContentMD5` and `ContentHash` (both the base64 MD5),
  /// `ContentEncoding`, `ContentDisposition`, `ContentLanguage`, `CacheControl` (`null` when unset).
  package static func propertiesJSON(_ p: BlobProperties) -> String {
    var o = JSONObjectText()
    o.add("LastModified", string: WireDate.string(from: p.lastModified))
    o.add("CreatedOn", string: WireDate.string(from: p.creationTime))
    o.add("Metadata", strings: p.metadata)
    o.add("BlobType", string: "BlockBlob")
    o.add("ContentLength", int: p.contentLength)
    o.add("ContentType", string: p.headers.contentType)
    o.add("ETag", string: p.etag)
    o.add("ContentMD5", string: p.headers.contentMD5)
    o.add("ContentHash", string: p.headers.contentMD5)
    o.add("ContentEncoding", string: p.headers.contentEncoding)
    o.add("ContentDisposition", string: p.headers.contentDisposition)
    o.add("ContentLanguage", string: p.headers.contentLanguage)
    o.add("CacheControl", string: p.headers.cacheControl)
    return o.text
  }

  /// The same properties as a ``JSONValue`` (for `{Properties.ContentType}` expressions).
  package static func propertiesValue(_ p: BlobProperties) -> JSONValue {
    func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
    return .object([
      "LastModified": .string(WireDate.string(from: p.lastModified)),
      "CreatedOn": .string(WireDate.string(from: p.creationTime)),
      "Metadata": .object(p.metadata.mapValues { .string($0) }),
      "BlobType": .string("BlockBlob"),
      "ContentLength": .number(Double(p.contentLength)),
      "ContentType": optional(p.headers.contentType),
      "ETag": .string(p.etag),
      "ContentMD5": optional(p.headers.contentMD5),
      "ContentHash": optional(p.headers.contentMD5),
      "ContentEncoding": optional(p.headers.contentEncoding),
      "ContentDisposition": optional(p.headers.contentDisposition),
      "ContentLanguage": optional(p.headers.contentLanguage),
      "CacheControl": optional(p.headers.cacheControl),
    ])
  }
}

/// Blob content → `input_data` (reference §3.3).
package enum BlobInputValue {
  /// The blob trigger's value: always `bytes` (stock ignores `dataType` for the trigger).
  package static func triggerValue(content: [UInt8]) -> AzureFunctionsRpcMessages_TypedData {
    var data = AzureFunctionsRpcMessages_TypedData()
    data.bytes = Data(content)
    return data
  }

  /// A blob input binding's value: `bytes` for `dataType: binary` (or `stream`), otherwise `string`
  /// (UTF-8, invalid sequences replaced); a missing blob (`nil`) is an empty `TypedData`, which Python
  /// receives as `None`.
  package static func inputValue(content: [UInt8]?, dataType: String?) -> AzureFunctionsRpcMessages_TypedData {
    guard let content else { return AzureFunctionsRpcMessages_TypedData() }
    return QueueTriggerInput.typedData(decodedBody: content, dataType: dataType)
  }
}
