internal import Foundation
internal import FunctionsStorage

/// The Blob service's XML bodies: the `BlockList` request and the listing responses.
enum BlobXML {
  /// One entry of a blob listing: a blob, or a `BlobPrefix` when a delimiter groups names.
  enum ListEntry {
    case blob(BlobProperties)
    case prefix(String)
  }

  /// The block ids of a `<BlockList>` body, in order (`Latest`, `Committed` and `Uncommitted`
  /// all name a block the store resolves).
  ///
  /// - Throws: `InvalidXmlDocument` for malformed XML or another document.
  static func blockIDs(from body: [UInt8]) throws(StorageError) -> [String] {
    let root: XMLTree
    do {
      root = try XMLTree.parse(body)
    } catch {
      throw StorageError.endpoint(.invalidXMLDocument, "XML specified is not syntactically valid: \(error.message).")
    }
    guard root.name == "BlockList" else {
      throw StorageError.endpoint(.invalidXMLDocument, "XML specified is not a BlockList.")
    }
    var ids: [String] = []
    for child in root.children {
      guard ["Latest", "Committed", "Uncommitted"].contains(child.name) else {
        throw StorageError.endpoint(.invalidXMLDocument, "Unexpected element <\(child.name)> in the BlockList.")
      }
      ids.append(child.text)
    }
    return ids
  }

  /// `<EnumerationResults>` of List Containers.
  static func containerList(
    _ page: Page<ContainerInfo>, serviceEndpoint: String, prefix: String?, marker: String?, maxResults: Int,
    includeMetadata: Bool
  ) -> String {
    var xml = XMLWriter()
    xml.element("EnumerationResults", attributes: [("ServiceEndpoint", serviceEndpoint)]) { xml in
      xml.optionalElement("Prefix", text: prefix)
      xml.optionalElement("Marker", text: marker)
      xml.element("MaxResults", text: String(maxResults))
      xml.element("Containers") { xml in
        for container in page.items {
          xml.element("Container") { xml in
            xml.element("Name", text: container.name)
            xml.element("Properties") { xml in
              xml.element("Last-Modified", text: HTTPDate.format(container.lastModified))
              xml.element("Etag", text: container.etag)
              xml.element("LeaseStatus", text: "unlocked")
              xml.element("LeaseState", text: "available")
              xml.optionalElement("PublicAccess", text: container.publicAccess)
              xml.element("HasImmutabilityPolicy", text: "false")
              xml.element("HasLegalHold", text: "false")
            }
            if includeMetadata { QueueXML.metadataElement(&xml, container.metadata) }
          }
        }
      }
      xml.element("NextMarker", text: page.nextMarker ?? "")
    }
    return xml.document
  }

  /// `<EnumerationResults>` of List Blobs.
  static func blobList(
    _ entries: [ListEntry], nextMarker: String?, serviceEndpoint: String, container: String, prefix: String?,
    marker: String?, maxResults: Int, delimiter: String?, includeMetadata: Bool
  ) -> String {
    var xml = XMLWriter()
    let attributes = [("ServiceEndpoint", serviceEndpoint), ("ContainerName", container)]
    xml.element("EnumerationResults", attributes: attributes) { xml in
      xml.optionalElement("Prefix", text: prefix)
      xml.optionalElement("Marker", text: marker)
      xml.element("MaxResults", text: String(maxResults))
      xml.optionalElement("Delimiter", text: delimiter)
      xml.element("Blobs") { xml in
        for entry in entries {
          switch entry {
          case .blob(let blob):
            xml.element("Blob") { xml in
              xml.element("Name", text: blob.name)
              properties(&xml, blob)
              if includeMetadata { QueueXML.metadataElement(&xml, blob.metadata) }
            }
          case .prefix(let name):
            xml.element("BlobPrefix") { xml in xml.element("Name", text: name) }
          }
        }
      }
      xml.element("NextMarker", text: nextMarker ?? "")
    }
    return xml.document
  }

  private static func properties(_ xml: inout XMLWriter, _ blob: BlobProperties) {
    xml.element("Properties") { xml in
      xml.element("Creation-Time", text: HTTPDate.format(blob.creationTime))
      xml.element("Last-Modified", text: HTTPDate.format(blob.lastModified))
      xml.element("Etag", text: blob.etag)
      xml.element("Content-Length", text: String(blob.contentLength))
      xml.element("Content-Type", text: blob.headers.contentType ?? "application/octet-stream")
      xml.optionalElement("Content-Encoding", text: blob.headers.contentEncoding)
      xml.optionalElement("Content-Language", text: blob.headers.contentLanguage)
      xml.optionalElement("Content-MD5", text: blob.headers.contentMD5)
      xml.optionalElement("Content-Disposition", text: blob.headers.contentDisposition)
      xml.optionalElement("Cache-Control", text: blob.headers.cacheControl)
      xml.element("BlobType", text: "BlockBlob")
      xml.element("AccessTier", text: "Hot")
      xml.element("AccessTierInferred", text: "true")
      xml.element("LeaseStatus", text: "unlocked")
      xml.element("LeaseState", text: "available")
      xml.element("ServerEncrypted", text: "false")
    }
  }
}
