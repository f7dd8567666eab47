#!/bin/sh
# An example flasher for `audit run --transport command`: the contract it follows is in docs/EXECUTOR.md.
#
#   flasher.sh [OPTIONS] IMAGE STACK SERIAL VERSION   push IMAGE to STACK (serial SERIAL), then read the version back
#   flasher.sh --read-version [--device-dir DIR] STACK SERIAL   print the version STACK reads now
#
# It talks to no hardware: a "device" is a pair of files in DIR, SERIAL.bin (the image flashed) and
# SERIAL.version (what the unit reads). A real flasher puts its vendor tool where the cp and the echo are.
# Progress goes to stdout as PROGRESS=nn lines, the version read back as one VERSION=... line; errors go to
# stderr, and the exit status says whether the push worked (0) or not (anything else).
#
# Options (to try the contract with a flasher that misbehaves the way real ones do):
#   --device-dir DIR   where the devices live (default $FLASHER_DEVICE_DIR, else ${TMPDIR:-/tmp}/flasher-example)
#   --step-delay S     seconds between progress lines (default 0.2; 0 for none)
#   --fail REASON      give up at 50%: REASON on stderr, exit status 3
#   --hang-at N        stop answering at N%, until something kills it (the timeout, or kill -9)
#   --pid-file FILE    when hanging, write this flasher's process id (its process group id too) to FILE
#   --reads V          the unit reads V after the push instead of VERSION (a push that did not take)
#   --once MARKER      misbehave only when MARKER does not exist, and create it: the retry then succeeds
set -u

device_dir=${FLASHER_DEVICE_DIR:-${TMPDIR:-/tmp}/flasher-example}
step_delay=0.2
fail_reason=
hang_at=
pid_file=
reads=
once=
read_version=

die() {
    echo "flasher: $*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
    --device-dir) device_dir=${2?--device-dir needs a value}; shift 2 ;;
    --step-delay) step_delay=${2?--step-delay needs a value}; shift 2 ;;
    --fail) fail_reason=${2?--fail needs a reason}; shift 2 ;;
    --hang-at) hang_at=${2?--hang-at needs a percentage}; shift 2 ;;
    --pid-file) pid_file=${2?--pid-file needs a path}; shift 2 ;;
    --reads) reads=${2?--reads needs a version}; shift 2 ;;
    --once) once=${2?--once needs a path}; shift 2 ;;
    --read-version) read_version=1; shift ;;
    --) shift; break ;;
    -*) die "unknown option $1" ;;
    *) break ;;
    esac
done

# A serial is a name, never a path: anything but letters, digits, '.', '_' and '-' becomes '_'.
device() {
    printf '%s/%s' "$device_dir" "$(printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_')"
}

if [ -n "$read_version" ]; then
    [ $# -eq 2 ] || die "usage: flasher.sh --read-version [--device-dir DIR] STACK SERIAL"
    version_file="$(device "$2").version"
    [ -r "$version_file" ] || die "no answer from $1 (serial $2)"
    cat "$version_file"
    exit 0
fi

[ $# -eq 4 ] || die "usage: flasher.sh [OPTIONS] IMAGE STACK SERIAL VERSION"
image=$1 stack=$2 serial=$3 version=$4
[ -f "$image" ] || die "no image file $image"
[ -s "$image" ] || die "the image $image is empty"
mkdir -p "$device_dir" || die "cannot create $device_dir"

if [ -n "$once" ]; then
    if [ -e "$once" ]; then
        fail_reason= hang_at= reads=
    else
        : >"$once" || die "cannot create $once"
    fi
fi

echo "flashing $image to $stack (serial $serial), version $version"
for percent in 0 10 20 30 40 50 60 70 80 90 100; do
    if [ -n "$hang_at" ] && [ "$percent" -ge "$hang_at" ]; then
        # The line first, then the pid file: whoever kills us on seeing the pid must find the line already written.
        echo "$stack stopped answering at $percent%" >&2
        if [ -n "$pid_file" ]; then
            echo $$ >"$pid_file.tmp" && mv "$pid_file.tmp" "$pid_file"
        fi
        while :; do sleep 1; done
    fi
    if [ -n "$fail_reason" ] && [ "$percent" -ge 50 ]; then
        echo "error: $fail_reason" >&2
        exit 3
    fi
    echo "PROGRESS=$percent"
    [ "$step_delay" = 0 ] || sleep "$step_delay"
done

target=$(device "$serial")
cp "$image" "$target.bin" || die "cannot write $target.bin"
echo "${reads:-$version}" >"$target.version" || die "cannot write $target.version"
echo "VERSION=$(cat "$target.version")"
