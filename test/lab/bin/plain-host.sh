#!/bin/sh
# Runs a command on the lab's LAN host as on a plain Linux box.
#   plain-host.sh ROOT DIR... -- COMMAND [ARG...]
# This machine's image has a /.dockerenv file (it was built as a container image), and every network namespace
# shares the file system: without this, the CLI's host probe sees "/.dockerenv exists" on every lab host and takes
# the LAN host for a Docker container. Run it in a private mount namespace (`unshare --mount`): it mounts a tmpfs on
# ROOT, recreates the top-level symlinks (bin -> usr/bin, ...), bind-mounts only the listed top-level directories
# (recursively, so /etc keeps the namespace's resolv.conf from /etc/netns) and chroots there. Nothing is changed
# outside that mount namespace, which disappears with the command.
set -eu
root=$1
shift
mount -t tmpfs -o size=1m,mode=0755 pd-lab-host-root "$root"
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  mkdir -p "$root/$1"
  mount --rbind "/$1" "$root/$1"
  shift
done
[ "$#" -gt 0 ] && shift
for entry in /*; do
  if [ -L "$entry" ]; then ln -s "$(readlink "$entry")" "$root/${entry#/}"; fi
done
exec chroot "$root" "$@"
