import Foundation
import HTTPTypes
import NIOCore
import FunctionsStorage
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing

@testable import FunctionsStorageEndpoints

/// Real sockets: the endpoints bind, publish their addresses, answer, and stop on graceful shutdown.
@Suite("Storage endpoints (live)")
struct StorageEndpointsLiveTests {
  @Test func bindsFreePortsAndServesBothServices() async throws {
    let fixture = try StorageFixture { $0.blobPort = 0; $0.queuePort = 0 }
    defer { fixture.close() }
    let endpoints = fixture.endpoints
    try await withThrowingTaskGroup(of: Void.self) { group in
      let group2 = ServiceGroup(
        configuration: .init(services: [endpoints], logger: Logger(label: "test")))
      group.addTask { try await group2.run() }
      let blob = try await endpoints.blobAddress
      let queue = try await endpoints.queueAddress
      #expect(blob.port != 0 && queue.port != 0 && blob.port != queue.port)
      #expect(blob.url == "http://127.0.0.1:\(blob.port)")
      let connection = try await endpoints.connectionString
      #expect(
        connection
          == "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=\(StorageEndpoints.developmentAccountKey);"
          + "BlobEndpoint=http://127.0.0.1:\(blob.port)/devstoreaccount1;QueueEndpoint=http://127.0.0.1:\(queue.port)/devstoreaccount1;")

      try await TestClient.withClient(host: "127.0.0.1", port: queue.port) { client in
        var headers = HTTPFields()
        SharedKeySigner().sign(method: "PUT", uri: "/devstoreaccount1/live", headers: &headers)
        let created = try await client.execute(.init("/devstoreaccount1/live", method: .put, headers: headers))
        #expect(created.status == .created)
        #expect(created.headers[HTTPField.Name("x-ms-request-id")!] != nil)
        let anonymous = try await client.execute(.init("/devstoreaccount1/live?comp=metadata", method: .get))
        #expect(anonymous.status == .forbidden)
        #expect(anonymous.headers[HTTPField.Name("x-ms-error-code")!] == "AuthenticationFailed")
      }
      try await TestClient.withClient(host: "127.0.0.1", port: blob.port) { client in
        var headers = HTTPFields()
        SharedKeySigner().sign(method: "GET", uri: "/devstoreaccount1?comp=list", headers: &headers)
        let list = try await client.execute(.init("/devstoreaccount1?comp=list", method: .get, headers: headers))
        #expect(list.status == .ok)
        #expect(list.body.map { String(buffer: $0) }?.contains("<Containers></Containers>") == true)
      }
      await group2.triggerGracefulShutdown()
      try await group.waitForAll()
    }
    await #expect(throws: StorageEndpointsError.self) { try await endpoints.blobAddress }
  }

  @Test func aTakenPortNamesThePortAndTheFlag() async throws {
    let first = try StorageFixture { $0.blobPort = 0; $0.queuePort = 0 }
    defer { first.close() }
    try await withThrowingTaskGroup(of: Void.self) { group in
      let running = ServiceGroup(configuration: .init(services: [first.endpoints], logger: Logger(label: "test")))
      group.addTask { try await running.run() }
      let taken = try await first.endpoints.queueAddress.port

      let second = try StorageFixture { $0.blobPort = 0; $0.queuePort = taken }
      defer { second.close() }
      do {
        try await second.endpoints.run()
        Issue.record("the second endpoints bound a taken port")
      } catch let error as StorageEndpointsError {
        #expect(error.code == .portInUse)
        #expect(error.port == taken && error.flag == "--queue-port")
        #expect(error.message == "port \(taken) is in use (an Azurite running?); pass --queue-port N or --no-storage-endpoints")
      }
      await #expect(throws: StorageEndpointsError.self) { try await second.endpoints.queueAddress }

      await running.triggerGracefulShutdown()
      try await group.waitForAll()
    }
  }

  @Test func anInvalidKeyIsAConfigurationError() async throws {
    let fixture = try StorageFixture { $0.accountKey = "not base64!"; $0.blobPort = 0; $0.queuePort = 0 }
    defer { fixture.close() }
    await #expect(throws: StorageEndpointsError.self) { try await fixture.endpoints.run() }
  }
}
