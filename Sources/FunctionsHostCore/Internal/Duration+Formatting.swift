internal import Foundation

extension Duration {
  /// "250 ms" or "1.5 s", for log lines.
  var formattedMilliseconds: String {
    let ms = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    return ms >= 1000 ? String(format: "%.1f s", ms / 1000) : String(format: "%.0f ms", ms)
  }
}
