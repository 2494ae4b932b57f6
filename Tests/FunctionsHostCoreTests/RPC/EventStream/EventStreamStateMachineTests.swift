import NIOCore
import Testing

@testable import FunctionsHostCore

/// The EventStream's rules as a pure value: headers, framing, limits, StartStream first, timeouts.
@Suite struct EventStreamStateMachineTests {
  typealias Machine = EventStreamStateMachine

  static let limits = Machine.Limits(beforeStart: 100, afterStart: 1_000)

  /// A machine whose headers were accepted.
  static func opened() -> Machine {
    var m = Machine(limits: limits)
    #expect(
      m.headersReceived(method: "POST", path: Machine.path, contentType: "application/grpc", encoding: nil) == .accept)
    return m
  }

  /// A machine attached to a worker.
  static func attached() -> Machine {
    var m = opened()
    m.dataReceived(frame([1]))
    guard case .message = m.nextMessage() else {
      Issue.record("no first message")
      return m
    }
    #expect(m.firstMessageHandled(.attached) == nil)
    return m
  }

  /// One gRPC message: flag 0, big-endian length, payload.
  static func frame(_ payload: [UInt8], flag: UInt8 = 0) -> ByteBuffer {
    var b = ByteBuffer()
    b.writeInteger(flag)
    b.writeInteger(UInt32(payload.count))
    b.writeBytes(payload)
    return b
  }

  /// Every message the machine returns until it needs more data.
  static func drain(_ m: inout Machine) -> [[UInt8]] {
    var out: [[UInt8]] = []
    while case .message(let b) = m.nextMessage() { out.append(Array(b.readableBytesView)) }
    return out
  }

  struct HeadersCase: Sendable, CustomTestStringConvertible {
    var method: String?
    var path: String?
    var contentType: String?
    var encoding: String?
    var code: Int?  // nil: accepted
    var testDescription: String { "\(method ?? "-") \(path ?? "-") \(contentType ?? "-") \(encoding ?? "-")" }
  }

  @Test(arguments: [
    HeadersCase(method: "POST", path: Machine.path, contentType: "application/grpc", code: nil),
    HeadersCase(method: "POST", path: Machine.path, contentType: "application/grpc+proto", code: nil),
    HeadersCase(method: "POST", path: Machine.path, contentType: "application/grpc", encoding: "identity", code: nil),
    HeadersCase(method: "GET", path: Machine.path, contentType: "application/grpc", code: 12),
    HeadersCase(method: "POST", path: "/other.Service/Call", contentType: "application/grpc", code: 12),
    HeadersCase(method: "POST", path: Machine.path, contentType: "text/plain", code: 3),
    HeadersCase(method: "POST", path: Machine.path, contentType: nil, code: 3),
    HeadersCase(method: "POST", path: Machine.path, contentType: "application/grpc", encoding: "gzip", code: 12),
  ])
  func headers(_ c: HeadersCase) {
    var m = Machine(limits: Self.limits)
    let action = m.headersReceived(method: c.method, path: c.path, contentType: c.contentType, encoding: c.encoding)
    if let code = c.code {
      guard case .reject(let status) = action else {
        Issue.record("expected a rejection, got \(action)")
        return
      }
      #expect(status.code == code)
      #expect(m.phase == .closed)
    } else {
      #expect(action == .accept)
      #expect(m.phase == .awaitingStartStream)
    }
  }

  @Test func aMessageSplitAcrossManyDataFramesComesOutWhole() {
    var m = Self.attached()
    let payload = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
    let bytes = Self.frame(payload)
    for i in 0..<bytes.readableBytes {
      #expect(Self.drain(&m).isEmpty)
      m.dataReceived(bytes.getSlice(at: i, length: 1)!)
    }
    #expect(Self.drain(&m) == [payload])
    #expect(m.bufferedBytes == 0)
  }

  @Test func manyMessagesInOneDataFrameComeOutInOrder() {
    var m = Self.attached()
    var bytes = ByteBuffer()
    let payloads: [[UInt8]] = (0..<50).map { i in Array(repeating: UInt8(i), count: i) }
    for p in payloads { bytes.writeImmutableBuffer(Self.frame(p)) }
    // and half of one more
    let tail = Self.frame([9, 9, 9, 9])
    bytes.writeImmutableBuffer(tail.getSlice(at: 0, length: 6)!)
    m.dataReceived(bytes)
    #expect(Self.drain(&m) == payloads)
    m.dataReceived(tail.getSlice(at: 6, length: 3)!)
    #expect(Self.drain(&m) == [[9, 9, 9, 9]])
  }

  @Test func aLengthPrefixOverTheLimitBeforeStartStreamIsRefusedBeforeItsBody() {
    var m = Self.opened()
    var prefix = ByteBuffer()
    prefix.writeInteger(UInt8(0))
    prefix.writeInteger(UInt32(101))  // just over the pre-start limit; no body sent
    m.dataReceived(prefix)
    guard case .fail(let status) = m.nextMessage() else {
      Issue.record("an over-limit prefix was not refused")
      return
    }
    #expect(status.code == 8)
    #expect(status.message.contains("before StartStream"))
    #expect(m.phase == .closed)
    #expect(m.bufferedBytes == 0)
  }

  @Test func afterStartStreamTheWorkersLimitApplies() {
    var m = Self.attached()
    m.dataReceived(Self.frame(Array(repeating: 1, count: 1_000)))
    #expect(Self.drain(&m).count == 1)
    var prefix = ByteBuffer()
    prefix.writeInteger(UInt8(0))
    prefix.writeInteger(UInt32(1_001))
    m.dataReceived(prefix)
    guard case .fail(let status) = m.nextMessage() else {
      Issue.record("an over-limit prefix was not refused")
      return
    }
    #expect(status.code == 8)
  }

  @Test func aCompressedMessageIsRefused() {
    var m = Self.attached()
    m.dataReceived(Self.frame([1, 2], flag: 1))
    guard case .fail(let status) = m.nextMessage() else {
      Issue.record("a compressed message was accepted")
      return
    }
    #expect(status.code == 13)
  }

  @Test(arguments: [
    (Machine.FirstMessage.attached, nil),
    (.undecodable, 3),
    (.notStartStream, 9),
    (.unknownWorker, 7),
    (.alreadyAttached, 6),
  ] as [(Machine.FirstMessage, Int?)])
  func firstMessageOutcome(_ outcome: Machine.FirstMessage, code: Int?) {
    var m = Self.opened()
    m.dataReceived(Self.frame([1]))
    guard case .message = m.nextMessage() else {
      Issue.record("no first message")
      return
    }
    let status = m.firstMessageHandled(outcome)
    #expect(status?.code == code)
    #expect(m.phase == (code == nil ? .attached : .closed))
  }

  @Test func theStartTimeoutClosesOnlyAStreamThatIsNotAttached() {
    var waiting = Self.opened()
    #expect(waiting.startTimeoutElapsed(after: "1 s") == .finish(.deadlineExceeded("no StartStream within 1 s")))
    #expect(waiting.phase == .closed)
    #expect(waiting.startTimeoutElapsed(after: "1 s") == .none)

    var noHeaders = Machine(limits: Self.limits)
    guard case .finish(let status) = noHeaders.startTimeoutElapsed(after: "1 s") else {
      Issue.record("a stream without headers was not closed")
      return
    }
    #expect(status.code == 4)

    var attached = Self.attached()
    #expect(attached.startTimeoutElapsed(after: "1 s") == .none)
    #expect(attached.phase == .attached)
  }

  @Test func endingTheStream() {
    var attached = Self.attached()
    #expect(attached.endOfStreamReceived() == .finish(.ok()))
    #expect(attached.endOfStreamReceived() == .none)

    var midMessage = Self.attached()
    midMessage.dataReceived(Self.frame([1, 2, 3]).getSlice(at: 0, length: 6)!)
    #expect(Self.drain(&midMessage).isEmpty)
    guard case .finish(let status) = midMessage.endOfStreamReceived() else {
      Issue.record("no trailers")
      return
    }
    #expect(status.code == 13)

    var early = Self.opened()
    guard case .finish(let early9) = early.endOfStreamReceived() else {
      Issue.record("no trailers")
      return
    }
    #expect(early9.code == 9)

    var lost = Self.attached()
    #expect(lost.streamClosed() == .streamLost)
    var lostEarly = Self.opened()
    #expect(lostEarly.streamClosed() == .none)
  }

  @Test func statusMessagesArePercentEncoded() {
    #expect(EventStreamStatus.internal("a%b\nc é").encodedMessage == "a%25b%0Ac %C3%A9")
  }
}
