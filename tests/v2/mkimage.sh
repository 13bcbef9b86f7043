#!/bin/sh
# mkimage.sh: the cgroup v2 guest's root filesystem, built once and cached.
#
#   sh tests/v2/mkimage.sh DIR
#
# Builds, with debootstrap from Debian's archive, a bookworm root filesystem
# holding Debian's own kernel (linux-image-amd64, its modules and an initrd
# made for it), the libraries cgov's programs link against and the tools the
# integration tests use, and writes into DIR (which must not exist yet):
#
#   root.img     an ext4 image of that filesystem (sparse, 6 GiB apparent:
#                the tests write files of a few hundred MiB on it)
#   vmlinuz      the kernel and
#   initrd.img   its initrd, for qemu's -kernel and -initrd
#   packages     what was installed (dpkg -l), for the record
#
# run.sh calls it when the image for this file's content is not in the
# cache yet: the cache key is a hash of this file, so a change to the
# package list (or anything else here) builds a new image. Downloaded .deb
# files are kept in $CGOV_V2_CACHE/debs between builds.
#
# Exit status: 0 built; 77 the archive cannot be reached (no network: the
# caller skips); anything else a real failure.
set -eu

OUT=$1
CACHE=${CGOV_V2_CACHE:-/var/cache/cgov-v2}
MIRROR=${CGOV_V2_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
SIZE_MB=6144

# The kernel and what initramfs-tools needs to make its initrd; what the
# guest's init uses (mount, swap, 9p modules, lo); the libraries of cgov,
# cgovd and the test helpers, sanitizer runtimes included (a configure
# --enable-asan/--enable-ubsan tree runs in the guest too); and every tool
# tests/integration/*.sh calls. Chromium (report_browser.sh) is left out on
# purpose: a headless browser under software emulation takes minutes, and
# that test does not depend on the kernel (see doc/v2-guest.md).
PKGS="linux-image-amd64 initramfs-tools zstd kmod udev
mount util-linux bsdutils procps iproute2 e2fsprogs
libevent-2.1-7 libsqlite3-0 libcgroup2 libsensors5 libasan8 libubsan1
jq sqlite3 python3 strace openjdk-17-jre-headless"

[ -n "$OUT" ] && [ ! -e "$OUT" ] || { echo "mkimage: $OUT exists or is empty" >&2; exit 2; }
for t in debootstrap mkfs.ext4 wget; do
	command -v "$t" >/dev/null 2>&1 || { echo "mkimage: needs $t" >&2; exit 2; }
done
wget -q -O /dev/null --timeout=20 --tries=2 "$MIRROR/dists/$SUITE/Release" || {
	echo "mkimage: $MIRROR cannot be reached: no network for the first image build" >&2
	exit 77
}

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/cgov-v2-root.XXXXXX")
ROOT=$WORK/root
# debootstrap mounts proc and sys inside the tree while it configures;
# unmount whatever is left if it stops half-way, then remove the tree.
cleanup() {
	for m in $(awk -v r="$ROOT" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount -l "$m" 2>/dev/null || :
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$CACHE/debs" "$ROOT"
echo "mkimage: debootstrap $SUITE from $MIRROR (packages cached in $CACHE/debs)"
# The initrd is made while linux-image-amd64 is configured: tell
# initramfs-tools beforehand to take the few modules the guest boots from
# instead of guessing from the build host's hardware.
mkdir -p "$ROOT/etc/initramfs-tools/conf.d"
printf 'MODULES=list\nCOMPRESS=zstd\n' > "$ROOT/etc/initramfs-tools/conf.d/cgov-v2.conf"
mkdir -p "$ROOT/usr/share/initramfs-tools/modules.d"
printf '%s\n' virtio_pci virtio_blk ext4 > "$ROOT/usr/share/initramfs-tools/modules.d/cgov-v2"
debootstrap --variant=minbase --components=main --cache-dir="$CACHE/debs" \
	--include="$(echo $PKGS | tr ' ' ',')" "$SUITE" "$ROOT" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 || {
	tail -n 30 "$WORK/debootstrap.log" >&2
	grep -q "Failed getting release file\|Couldn't download\|Failure while downloading" \
		"$WORK/debootstrap.log" && exit 77
	exit 1
}

# The kernel and initrd the guest boots, outside the image.
KVER=$(ls "$ROOT/lib/modules" | sort -V | tail -n 1)
[ -f "$ROOT/boot/vmlinuz-$KVER" ] && [ -f "$ROOT/boot/initrd.img-$KVER" ] || {
	echo "mkimage: no kernel or initrd for $KVER in the image" >&2
	exit 1
}

# The guest's pid 1: mount the source tree's 9p share and run the runner
# that lives there (tests/v2/guest.sh), so that changing the runner needs no
# new image. bash as pid 1 reaps the orphans it adopts (a detached cgovd's
# first process, for one), which the tests wait for.
cat > "$ROOT/sbin/cgov-v2-init" <<'EOF'
#!/bin/bash
# cgov v2 guest, pid 1 (made by tests/v2/mkimage.sh).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mountpoint -q /proc || mount -t proc proc /proc       # the initrd moved them
mountpoint -q /sys || mount -t sysfs sysfs /sys
mkdir -p /mnt/cgov-src
modprobe 9pnet_virtio
if mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 cgovsrc /mnt/cgov-src &&
	[ -f /mnt/cgov-src/tests/v2/guest.sh ]; then
	/bin/bash /mnt/cgov-src/tests/v2/guest.sh &
	runner=$!
	# wait returns when any child is reaped: loop until the runner is.
	while kill -0 "$runner" 2>/dev/null; do wait "$runner"; done
else
	echo "cgov-v2: cannot mount the source tree (9p tag cgovsrc)"
fi
sync
echo o > /proc/sysrq-trigger
sleep 30
EOF
chmod 755 "$ROOT/sbin/cgov-v2-init"
echo cgov-v2 > "$ROOT/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tcgov-v2\n' > "$ROOT/etc/hosts"
printf '/dev/vda / ext4 defaults 0 1\n' > "$ROOT/etc/fstab"
mkdir -p "$ROOT/mnt/cgov-src" "$ROOT/mnt/cgov-build" "$ROOT/mnt/cgov-out"

mkdir -p "$OUT.tmp"
cp "$ROOT/boot/vmlinuz-$KVER" "$OUT.tmp/vmlinuz"
cp "$ROOT/boot/initrd.img-$KVER" "$OUT.tmp/initrd.img"
chroot "$ROOT" dpkg-query -W -f='${Package} ${Version}\n' > "$OUT.tmp/packages"
echo "$KVER" > "$OUT.tmp/kernel"
rm -rf "$ROOT/var/cache/apt/archives"/*.deb "$ROOT/var/lib/apt/lists"/* "$ROOT/boot"/initrd.img-*
# An ext4 image made from the directory (mkfs -d: no loop device needed).
mkfs.ext4 -q -L cgov-v2 -d "$ROOT" "$OUT.tmp/root.img" "${SIZE_MB}M"
mv "$OUT.tmp" "$OUT"
echo "mkimage: $(du -sh --apparent-size "$ROOT" | cut -f1) root filesystem, kernel $KVER, in $OUT"
