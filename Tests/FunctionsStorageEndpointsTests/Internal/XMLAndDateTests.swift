import Foundation
import HTTPTypes
import NIOCore
import FunctionsStorage
import Testing

@testable import FunctionsStorageEndpoints

@Suite("XML writer and reader, HTTP dates, ranges")
struct XMLAndDateTests {
  @Test func writerEscapesTheFiveCharacters() {
    var xml = XMLWriter()
    xml.element("A", attributes: [("k", "a\"b")]) { xml in
      xml.element("B", text: "x & y < z > w 'q' \"r\"")
      xml.element("C", text: nil)
      xml.optionalElement("D", text: nil)
    }
    #expect(
      xml.document
        == #"<?xml version="1.0" encoding="utf-8"?><A k="a&quot;b"><B>x &amp; y &lt; z &gt; w &apos;q&apos; &quot;r&quot;</B><C /></A>"#
    )
  }

  @Test func readerParsesAQueueMessage() throws {
    let body = Array(
      "<?xml version='1.0' encoding='utf-8'?>\n<QueueMessage><MessageText>hello &lt;world&gt; &amp; &#x27;you&#39; <![CDATA[<raw>]]></MessageText></QueueMessage>"
        .utf8)
    #expect(try QueueXML.messageText(from: body) == Array("hello <world> & 'you' <raw>".utf8))
  }

  @Test func readerParsesABlockList() throws {
    let body = Array(
      #"<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>AAA=</Latest><!-- c --><Committed>BBB=</Committed><Uncommitted>CCC=</Uncommitted></BlockList>"#
        .utf8)
    #expect(try BlobXML.blockIDs(from: body) == ["AAA=", "BBB=", "CCC="])
  }

  @Test(arguments: [
    "", "<QueueMessage>", "<QueueMessage><MessageText>x</QueueMessage>", "<A></A><B></B>",
    "<QueueMessage><MessageText>&bogus;</MessageText></QueueMessage>",
    "<!DOCTYPE x [<!ENTITY a 'b'>]><QueueMessage/>", "not xml",
  ])
  func readerRejectsMalformedDocuments(text: String) {
    #expect(throws: StorageError.self) { try QueueXML.messageText(from: Array(text.utf8)) }
  }

  @Test func readerRejectsOtherDocuments() {
    #expect(throws: StorageError.self) { try QueueXML.messageText(from: Array("<Other><MessageText/></Other>".utf8)) }
    #expect(throws: StorageError.self) { try BlobXML.blockIDs(from: Array("<BlockList><X>a</X></BlockList>".utf8)) }
  }

  @Test func httpDates() {
    let date = Date(timeIntervalSince1970: 1_255_122_270)  // 2009-10-09 21:04:30 UTC
    #expect(HTTPDate.format(date) == "Fri, 09 Oct 2009 21:04:30 GMT")
    #expect(HTTPDate.parse("Fri, 09 Oct 2009 21:04:30 GMT") == date)
    #expect(HTTPDate.format(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
    #expect(HTTPDate.format(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 GMT")
    #expect(HTTPDate.parse("Tue, 29 Feb 2000 00:00:00 GMT") == Date(timeIntervalSince1970: 951_782_400))
    #expect(HTTPDate.parse("yesterday") == nil)
    #expect(HTTPDate.parse("Fri, 09 Foo 2009 21:04:30 GMT") == nil)
    #expect(QueueXML.expirationText(.distantFuture) == "Fri, 31 Dec 9999 23:59:59 GMT")
  }

  @Test func ranges() {
    #expect(RangeHeader.parse("bytes=0-33554431") == ByteRange(start: 0, end: 33_554_431))
    #expect(RangeHeader.parse("bytes=5-") == ByteRange(start: 5, end: nil))
    #expect(RangeHeader.parse("bytes=5-4") == nil)
    #expect(RangeHeader.parse("bytes=-5") == nil)
    #expect(RangeHeader.parse("bytes=0-1,3-4") == nil)
    #expect(RangeHeader.parse("items=0-1") == nil)
  }

  @Test func requestTargets() throws {
    let target = try #require(RequestTarget("/devstoreaccount1/photos/dir/my%20photo%2B1.txt?comp=metadata&Prefix=a%2Fb"))
    #expect(target.account == "devstoreaccount1")
    #expect(target.resource == "photos")
    #expect(target.subpath == "dir/my photo+1.txt")
    #expect(target.rawPath == "/devstoreaccount1/photos/dir/my%20photo%2B1.txt")
    #expect(target.query("comp") == "metadata")
    #expect(target.query("prefix") == "a/b")
    let account = try #require(RequestTarget("/devstoreaccount1?comp=list"))
    #expect(account.resource == nil && account.subpath == nil)
    #expect(RequestTarget("/devstoreaccount1/q%ZZ") == nil)
    #expect(RequestTarget("/devstoreaccount1//x?comp=list") == nil)
    #expect(RequestTarget("/devstoreaccount1/")?.resource == nil)
    #expect(RequestTarget("/devstoreaccount1/q/")?.subpath == nil)
  }
}
