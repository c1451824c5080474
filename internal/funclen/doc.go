// Package funclen holds a test of the module's source: no function outside
// tests is longer than [MaxLines] lines. It has no API.
package funclen

// MaxLines is the longest a function (or method) outside tests may be,
// from its func keyword to its closing brace.
const MaxLines = 150
