//go:build linux

package outdir

const sysRenameat2 = 316
