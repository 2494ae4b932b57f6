internal import Testing

// Placeholder so the test target builds; replaced by real suites.
