//go:build linux && !amd64 && !arm64

package outdir

const sysRenameat2 = -1
