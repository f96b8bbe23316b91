#!/bin/bash
# --nameattr is an allow-list (issue 16 item 2): href (http, https or
# relative; written as xlink:href), target, title, xlink:title, class, rel,
# each once per name. xmlns* and other prefixes (the xlink rebinding
# bypass), event handlers, data-*, id, style and duplicates are dropped with
# a warning, and the SVG stays well-formed. In headless Chromium a click on
# a frame whose link is javascript: (through a rebound prefix, as the old
# output had it) runs no script, and a relative link is followed.
. "$(dirname "$0")/lib.sh"

command -v xmllint >/dev/null || die "xmllint missing (scripts/deps.sh test)"
printf 'main;evil 50\nmain;safe 50\nmain;b 20\nmain;c 20\n' > "$T/in.folded"
{
	printf 'evil\ttitle=evil\txmlns:foo=http://www.w3.org/1999/xlink\tfoo:href=javascript:alert(1)\txmlns=x\tdata-x=1\ttarget=_top\ttarget=_blank\tfoo:bar=1\tid=frames\tstyle=fill:red\tonclick=alert(1)\thref=rel.html\n'
	printf 'safe\ttitle=safe\thref=target.svg\n'
	printf 'b\thref=javascript:alert(1)\tclass=c1\n'
	printf 'b\thref=JaVaScRiPt:alert(2)\n'
	printf 'b\thref=\x01javascript:alert(3)\n'
	printf 'b\thref=https://example.com/b\n'
	printf 'b\txlink:href=https://example.com/again\tclass=c2\n'
	printf 'c\thref=data:text/html,x\trel=noopener\txlink:title=C\n'
} > "$T/attrs"
"$FLAME" svg --nameattr "$T/attrs" "$T/in.folded" > "$T/o.svg" 2> "$T/err" || die "flame svg failed: $(cat "$T/err")"
check "well-formed" xmllint --noout "$T/o.svg"
check "warns once, naming the first line" grep -q "attrs:1: 15 attribute(s) dropped" "$T/err"
for bad in 'xmlns:foo' 'foo:href' 'foo:bar' 'data-x="1"' 'id="frames"' 'style=' 'onclick' \
	'javascript:alert' 'JaVaScRiPt' 'data:text' 'target="_blank"' 'example.com/again' 'c2'; do
	check "dropped: $bad" bash -c "! grep -q '$bad' '$T/o.svg'"
done
check "kept: first target" grep -q 'target="_top"' "$T/o.svg"
check "kept: relative href" grep -q 'xlink:href="rel.html"' "$T/o.svg"
check "kept: https href" grep -q 'xlink:href="https://example.com/b"' "$T/o.svg"
check "kept: class" grep -q 'class="fg-f c1"' "$T/o.svg"
check "kept: rel, xlink:title" grep -q 'rel="noopener" xlink:title="C"' "$T/o.svg"
check "one data-x per frame" bash -c "! grep -q 'data-x=\"[^\"]*\"[^>]*data-x=' '$T/o.svg'"

"$FLAME_TOP"/scripts/deps.sh browser >/dev/null 2>&1 ||
	skip "chromium cannot be installed (scripts/deps.sh browser failed)"
command -v chromium >/dev/null || skip "no chromium after scripts/deps.sh browser"
command -v node >/dev/null || skip "no node for the DevTools driver"
# what the old filter let through: a rebound xlink prefix with a script URL
sed 's|xlink:href="rel.html"|xmlns:foo="http://www.w3.org/1999/xlink" foo:href="javascript:document.documentElement.setAttribute(\&quot;data-pwned\&quot;,\&quot;1\&quot;)"|' \
	"$T/o.svg" > "$T/evil.svg"
check "the hostile link is in the test page" grep -q 'foo:href="javascript:' "$T/evil.svg"
check "the hostile page is well-formed" xmllint --noout "$T/evil.svg"
printf '<svg xmlns="http://www.w3.org/2000/svg"><title>link target</title></svg>\n' > "$T/target.svg"
node "$FLAME_TOP/tests/browser/svg-links.js" "$T/evil.svg" || die "browser link checks failed"
exit 0
