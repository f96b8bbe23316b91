#!/bin/bash
# The include rules of the source tree (docs/design.md, "Headers"):
#  - a lib/ folder's quoted includes name its own headers or lib/internal.h,
#    never another folder's private header: what one folder uses of another
#    is in include/flame/;
#  - plugin/ and cli/ include no header of lib/;
#  - a public header (include/flame/) includes only system and public headers.
# usage: scripts/check-layout.sh [TOP]   (default: the current directory)
# Prints one line per broken rule and exits 1; silent and 0 when all hold.
set -u
set -o pipefail
top=${1:-.}
cd "$top" || exit 2
bad=0

# "file:line:header" for every quoted include in the given files
quoted() {
	grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$@" 2>/dev/null |
		sed 's/^\([^:]*\):\([0-9]*\):.*"\([^"]*\)".*/\1:\2:\3/'
}

for dir in lib/*/; do
	dir=${dir%/}
	files=("$dir"/*.c "$dir"/*.h)
	while IFS=: read -r file line hdr; do
		[ -n "$file" ] || continue
		[[ $hdr != */* ]] && [ -e "$dir/$hdr" ] && continue
		[ "$hdr" = internal.h ] && [ -e lib/internal.h ] && continue
		owner=
		[[ $hdr == */* ]] || owner=$(cd lib && ls -d -- */"$hdr" 2>/dev/null | head -n 1)
		echo "$file:$line: includes \"$hdr\"${owner:+ (private to lib/${owner%%/*})}: use a header in include/flame/ or move the code"
		bad=1
	done < <(quoted "${files[@]}")
done

for dir in plugin cli; do
	[ -d "$dir" ] || continue
	while IFS=: read -r file line hdr; do
		[ -n "$file" ] || continue
		[[ $hdr != *..* ]] || { echo "$file:$line: includes \"$hdr\" by a relative path: use include/flame/"; bad=1; continue; }
		[ -e "$(dirname "$file")/$hdr" ] && continue
		[ -e "$dir/$hdr" ] && continue
		echo "$file:$line: includes \"$hdr\", not a header of $dir/: use include/flame/"
		bad=1
	done < <(find "$dir" -name '*.[ch]' -print0 | xargs -0 -r grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' |
		sed 's/^\([^:]*\):\([0-9]*\):.*"\([^"]*\)".*/\1:\2:\3/')
done

while IFS=: read -r file line hdr; do
	[ -n "$file" ] || continue
	echo "$file:$line: a public header includes \"$hdr\": only <...> headers"
	bad=1
done < <(quoted include/flame/*.h)

exit $bad
