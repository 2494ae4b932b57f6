internal import Foundation
internal import FunctionsHostCore
internal import FunctionsObservability
internal import Hummingbird
internal import NIOCore

/// The operator endpoints of ``FrontDoorObservability``; `nil` for any other path (the caller checked
/// the master key).
enum ObservabilityEndpoints {
  static func response(
    to request: Request,
    path: Substring,
    observability: FrontDoorObservability,
    dispatcher: any InvocationDispatching,
    authority: String,
    routePrefix: String
  ) async throws -> Response? {
    var normalized = path
    while normalized.count > 1, normalized.last == "/" { normalized = normalized.dropLast() }
    let lower = normalized.lowercased()
    let telemetry = observability.telemetry
    switch lower {
    case "/admin/metrics":
      guard request.method == .get || request.method == .head else { return notAllowed(request, path, "GET, HEAD") }
      return Response(
        status: .ok,
        headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
        body: .init(byteBuffer: ByteBuffer(string: await telemetry.prometheusText())))
    case "/admin/dashboard":
      guard request.method == .get || request.method == .head else { return notAllowed(request, path, "GET, HEAD") }
      return Response(
        status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
        body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
    case "/admin/dashboard/events":
      guard request.method == .get else { return notAllowed(request, path, "GET") }
      return events(telemetry: telemetry, dispatcher: dispatcher, authority: authority, routePrefix: routePrefix)
    default:
      break
    }
    if lower.hasPrefix("/admin/functions/"), request.method == .post {
      let name = String(normalized.dropFirst("/admin/functions/".count))
      return try await run(name, request: request, observability: observability, dispatcher: dispatcher)
    }
    return nil
  }

  /// Server-sent events: one snapshot now, then one after each change (coalesced while writing).
  private static func events(
    telemetry: HostTelemetry, dispatcher: any InvocationDispatching, authority: String, routePrefix: String
  ) -> Response {
    let changes = telemetry.changeEvents()
    let body = ResponseBody { writer in
      func send() async throws {
        let snapshot = await telemetry.snapshot(functions: dispatcher.functions()) { f in
          guard f.trigger?.isHTTPTrigger == true else { return nil }
          return AdminEndpoints.url(of: f, authority: authority, routePrefix: routePrefix)
        }
        try await writer.write(ByteBuffer(string: "data: \(snapshot.json)\n\n"))
      }
      try await send()
      for await _ in changes { try await send() }
      try await writer.finish(nil)
    }
    return Response(
      status: .ok,
      headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
      body: body)
  }

  /// `POST /admin/functions/<name>` with `{"input": "…"}`: 202 once accepted.
  private static func run(
    _ name: String, request: Request, observability: FrontDoorObservability, dispatcher: any InvocationDispatching
  ) async throws -> Response {
    guard let runFunction = observability.runFunction else {
      return FrontDoorError(
        status: .notImplemented, code: "notImplemented", message: "this host cannot run functions by hand"
      ).response
    }
    let decodedName = name.removingPercentEncoding ?? name
    guard let function = dispatcher.function(named: decodedName) else {
      return FrontDoorError(
        status: .notFound, code: "functionNotFound", message: "no function named '\(decodedName)'"
      ).response
    }
    let body = try await request.body.collect(upTo: 4 * 1024 * 1024)
    let input: String
    do {
      input = try AdminRunRequest.input(from: Data(body.readableBytesView))
    } catch {
      return FrontDoorError(status: .badRequest, code: "invalidBody", message: error.message).response
    }
    do {
      try await runFunction(function, input)
    } catch let error as FunctionsHostError {
      let status: HTTPResponse.Status = error.code == .functionNotFound ? .notFound : .badRequest
      return FrontDoorError(status: status, code: error.code.description, message: error.message).response
    }
    return Response(status: .accepted, headers: [.cacheControl: "no-store"])
  }

  private static func notAllowed(_ request: Request, _ path: Substring, _ allow: String) -> Response {
    FrontDoorError(
      status: .methodNotAllowed, code: "methodNotAllowed",
      message: "method \(request.method.rawValue) is not allowed for \(path); allowed: \(allow)",
      headers: [.allow: allow]
    ).response
  }
}
