/// A fixed-capacity buffer that keeps the newest `capacity` elements.
struct Ring<Element: Sendable>: Sendable {
  private var storage: [Element] = []
  private var next = 0
  let capacity: Int

  init(capacity: Int) {
    self.capacity = max(1, capacity)
    storage.reserveCapacity(self.capacity)
  }

  /// Adds an element, dropping the oldest when full.
  mutating func append(_ element: Element) {
    if storage.count < capacity {
      storage.append(element)
    } else {
      storage[next] = element
    }
    next = (next + 1) % capacity
  }

  /// The elements, oldest first.
  var elements: [Element] {
    storage.count < capacity ? storage : Array(storage[next...] + storage[..<next])
  }

  var isEmpty: Bool { storage.isEmpty }
}
