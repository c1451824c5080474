package reports

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/text"

	"github.com/startrend/startrend/internal/safeio"
)

// cjkFontPaths are the places a CJK-capable font is looked for, in order
// (Debian/Ubuntu fonts-noto-cjk first), before asking fc-list.
var cjkFontPaths = []string{
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/arphic/uming.ttc",
	"/System/Library/Fonts/PingFang.ttc",
	"/System/Library/Fonts/STHeiti Medium.ttc",
	"/Library/Fonts/Arial Unicode.ttf",
	`C:\Windows\Fonts\msyh.ttc`,
	`C:\Windows\Fonts\simhei.ttf`,
}

// cjkProbe must be renderable by a font for it to count as CJK-capable.
const cjkProbe = "中文数据"

// loadedFont is a parsed font face with its name.
type loadedFont struct {
	name string
	face *opentype.Font
}

var fontCache sync.Map // path -> *loadedFont or error

// loadFontFile parses a TTF/OTF file or a TTC collection; from a collection
// it takes the Simplified Chinese face when there is one, else the first
// face that renders cjkProbe, else the first face.
func loadFontFile(path string) (*loadedFont, error) {
	if v, ok := fontCache.Load(path); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*loadedFont), nil
	}
	lf, err := parseFontFile(path)
	if err != nil {
		fontCache.Store(path, err)
		return nil, err
	}
	fontCache.Store(path, lf)
	return lf, nil
}

// CheckFont loads the font file a command was given (--font) so that a
// bad one is reported before any simulation; "" (search the system) is
// always fine.
func CheckFont(path string) error {
	if path == "" {
		return nil
	}
	_, err := loadFontFile(path)
	return err
}

func parseFontFile(path string) (*loadedFont, error) {
	data, err := safeio.ReadRegular(path, safeio.FontLimit, "font")
	if err != nil {
		return nil, err
	}
	var faces []*opentype.Font
	if coll, err := opentype.ParseCollection(data); err == nil {
		for i := 0; i < coll.NumFonts(); i++ {
			if f, err := coll.Font(i); err == nil {
				faces = append(faces, f)
			}
		}
	} else if f, err := opentype.Parse(data); err == nil {
		faces = append(faces, f)
	} else {
		return nil, fmt.Errorf("font %s: not a TrueType/OpenType font or collection", path)
	}
	if len(faces) == 0 {
		return nil, fmt.Errorf("font %s: no usable face", path)
	}
	pick := faces[0]
	best := -1
	for _, f := range faces {
		name := fontName(f)
		score := 0
		if canRender(f, cjkProbe) {
			score = 1
			if strings.HasSuffix(name, " SC") || strings.Contains(name, "Simplified") {
				score = 2
			}
		}
		if score > best {
			best, pick = score, f
		}
	}
	return &loadedFont{name: fontName(pick), face: pick}, nil
}

func fontName(f *opentype.Font) string {
	var buf sfnt.Buffer
	if n, err := f.Name(&buf, sfnt.NameIDFamily); err == nil && n != "" {
		return n
	}
	return "custom"
}

// canRender reports whether every rune of s has a glyph in f.
func canRender(f *opentype.Font, s string) bool {
	var buf sfnt.Buffer
	for _, r := range s {
		if r == ' ' || r == '\n' {
			continue
		}
		if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
			return false
		}
	}
	return true
}

// findCJKFont looks for a CJK-capable font on the system: the known paths,
// then fc-list. It returns "" when there is none.
func findCJKFont() string {
	findOnce.Do(func() {
		for _, p := range cjkFontPaths {
			if lf, err := loadFontFile(p); err == nil && canRender(lf.face, cjkProbe) {
				foundFont = p
				return
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "fc-list", ":lang=zh", "file").Output()
		if err != nil {
			return
		}
		var files []string
		for _, line := range strings.Split(string(out), "\n") {
			if f := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), ":")); f != "" {
				files = append(files, f)
			}
		}
		sortStrings(files)
		for _, p := range files {
			if lf, err := loadFontFile(p); err == nil && canRender(lf.face, cjkProbe) {
				foundFont = p
				return
			}
		}
	})
	return foundFont
}

var (
	findOnce  sync.Once
	foundFont string
)

// theme holds the fonts plots are drawn with and substitutes labels the
// font cannot draw.
type theme struct {
	fnt     font.Font
	handler text.Handler
	face    *opentype.Font // the face that draws fnt, for glyph checks
	cjk     bool

	mu      sync.Mutex
	missing []string // labels replaced by ids
}

// newTheme sets up fonts: the given font file, else a CJK-capable system
// font, else Liberation Sans (Latin only).
func newTheme(fontPath string) (*theme, error) {
	cache := font.NewCache(liberation.Collection())
	th := &theme{fnt: font.Font{Typeface: "Liberation", Variant: "Sans"}}
	path := fontPath
	if path == "" {
		path = findCJKFont()
	}
	if path != "" {
		lf, err := loadFontFile(path)
		if err != nil {
			return nil, err
		}
		fnt := font.Font{Typeface: font.Typeface(lf.name)}
		cache.Add(font.Collection{{Font: fnt, Face: lf.face}})
		th.fnt, th.face, th.cjk = fnt, lf.face, canRender(lf.face, cjkProbe)
	} else {
		th.face = cache.Lookup(th.fnt, 10).Face
	}
	th.handler = text.Plain{Fonts: cache}
	return th, nil
}

// label returns s when the theme's font can draw it, else id (and records
// the substitution for the one warning).
func (th *theme) label(s, id string) string {
	if canRender(th.face, s) {
		return s
	}
	th.mu.Lock()
	th.missing = append(th.missing, s)
	th.mu.Unlock()
	return id
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
