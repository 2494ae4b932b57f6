extension Duration {
  /// `850 ms` or `2.4 s`.
  var text: String {
    let ms = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    if ms < 1000 { return "\(Int(ms.rounded())) ms" }
    return "\((ms / 100).rounded() / 10) s"
  }

  /// Seconds as a Double.
  var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
