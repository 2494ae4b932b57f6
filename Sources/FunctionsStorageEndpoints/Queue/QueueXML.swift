internal import Foundation
internal import FunctionsStorage

/// The Queue service's XML bodies: the `QueueMessage` request and the `QueueMessagesList` and
/// `EnumerationResults` responses.
enum QueueXML {
  /// The `MessageText` of a `<QueueMessage>` request body, XML-unescaped, as UTF-8 bytes.
  ///
  /// - Throws: `InvalidXmlDocument` for malformed XML or another document.
  static func messageText(from body: [UInt8]) throws(StorageError) -> [UInt8] {
    let root: XMLTree
    do {
      root = try XMLTree.parse(body)
    } catch {
      throw StorageError.endpoint(.invalidXMLDocument, "XML specified is not syntactically valid: \(error.message).")
    }
    guard root.name == "QueueMessage", let text = root.child("MessageText") else {
      throw StorageError.endpoint(
        .invalidXMLDocument, "XML specified is not a QueueMessage with a MessageText element.")
    }
    return Array(text.text.utf8)
  }

  /// `<QueueMessagesList>` for put (`includeBody: false`), receive and peek.
  static func messagesList(_ messages: [QueueMessage], includeBody: Bool, includeReceipt: Bool) -> String {
    var xml = XMLWriter()
    xml.element("QueueMessagesList") { xml in
      for message in messages {
        xml.element("QueueMessage") { xml in
          xml.element("MessageId", text: message.id)
          xml.element("InsertionTime", text: HTTPDate.format(message.insertionTime))
          xml.element("ExpirationTime", text: expirationText(message.expirationTime))
          if includeReceipt {
            xml.optionalElement("PopReceipt", text: message.popReceipt)
            xml.element("TimeNextVisible", text: HTTPDate.format(message.nextVisibleTime))
          }
          if includeBody {
            xml.element("DequeueCount", text: String(message.dequeueCount))
            xml.element("MessageText", text: String(decoding: message.body, as: UTF8.self))
          }
        }
      }
    }
    return xml.document
  }

  /// `<EnumerationResults>` of List Queues.
  static func queueList(
    _ page: Page<QueueInfo>, serviceEndpoint: String, prefix: String?, marker: String?, maxResults: Int,
    includeMetadata: Bool
  ) -> String {
    var xml = XMLWriter()
    xml.element("EnumerationResults", attributes: [("ServiceEndpoint", serviceEndpoint)]) { xml in
      xml.optionalElement("Prefix", text: prefix)
      xml.optionalElement("Marker", text: marker)
      xml.element("MaxResults", text: String(maxResults))
      xml.element("Queues") { xml in
        for queue in page.items {
          xml.element("Queue") { xml in
            xml.element("Name", text: queue.name)
            if includeMetadata { metadataElement(&xml, queue.metadata) }
          }
        }
      }
      xml.element("NextMarker", text: page.nextMarker ?? "")
    }
    return xml.document
  }

  /// `<Metadata>` with one element per entry, sorted by name.
  static func metadataElement(_ xml: inout XMLWriter, _ metadata: [String: String]) {
    xml.element("Metadata") { xml in
      for (name, value) in metadata.sorted(by: { $0.key < $1.key }) where isXMLName(name) {
        xml.element(name, text: value)
      }
    }
  }

  /// Azure's expiry text: never-expiring messages show 31 Dec 9999.
  static func expirationText(_ date: Date) -> String {
    date >= .distantFuture || date.timeIntervalSince1970 >= 253_402_300_799
      ? "Fri, 31 Dec 9999 23:59:59 GMT" : HTTPDate.format(date)
  }

  /// Metadata names are C# identifiers in Azure; anything else cannot be an element name.
  private static func isXMLName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
    return name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0) }
  }
}
