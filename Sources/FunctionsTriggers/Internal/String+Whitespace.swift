extension String {
  /// The string without leading and trailing JSON/ASCII whitespace and newlines.
  var trimmingWhitespace: Substring {
    let ws: Set<Character> = [" ", "\t", "\n", "\r", "\r\n"]
    var s = Substring(self)
    while let f = s.first, ws.contains(f) { s = s.dropFirst() }
    while let l = s.last, ws.contains(l) { s = s.dropLast() }
    return s
  }
}
