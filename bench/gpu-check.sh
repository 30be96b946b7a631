#!/usr/bin/env bash
# GPU check for Blob Classifier's WebGPU route (tfjs-backend-webgpu on Dawn's `webgpu`
# npm package), for a GPU machine with no internet: copy the checkout WITH its
# node_modules (dawn.node, tsx and the rest are in there; nothing is downloaded), then
#
#   bench/gpu-check.sh [OUT_DIR] [gpu-check.ts options]     (OUT_DIR default: bench/results)
#
# In under 5 minutes it prints what the machine has (GPU, driver, the Vulkan loader and
# ICDs Dawn needs), then runs bench/gpu-check.ts: the adapters Dawn finds, what
# `device: "gpu"` and `auto` resolve to, one training step's cost by batch size (webgpu
# vs wasm: the crossover sets backends.ts GPU_THRESHOLDS), and bench/bench.ts's
# workloads 3a, 3b and 4 on webgpu and wasm. Output: OUT_DIR/gpu-check-<host>-<time>.txt
# (this log) and .json. Exit status: that of gpu-check.ts (124 when the time ran out).
#
# Written without a GPU to try it on: each step says what it found and carries on; only
# the software adapter (Mesa, `--allow-software`) has run it end to end.
set -uo pipefail
cd "$(dirname "$0")/.."

out_dir="bench/results"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  out_dir="$1"
  shift
fi
mkdir -p "$out_dir"
stem="$out_dir/gpu-check-$(hostname -s 2>/dev/null || echo host)-$(date +%Y%m%d-%H%M%S)"
exec > >(tee "$stem.txt") 2>&1

section() { printf '\n== %s\n' "$1"; }
have() { command -v "$1" >/dev/null 2>&1; }

section "machine"
uname -srm
echo "cpus: $(nproc 2>/dev/null || echo '?')"
if have node; then echo "node: $(node --version)"; else echo "node: NOT FOUND (install Node.js 20+; nothing else is needed)"; exit 1; fi

section "GPU and driver"
if have nvidia-smi; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1 | head -8
else
  echo "nvidia-smi: not found"
fi
if [ -e /dev/dri ]; then echo "/dev/dri: $(ls /dev/dri | tr '\n' ' ')"; fi

section "Vulkan (Dawn's API on Linux)"
if ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  ldconfig -p | grep 'libvulkan\.so\.1' | head -2
else
  echo "libvulkan.so.1 (the Vulkan loader, Debian/Ubuntu: libvulkan1) NOT found: Dawn cannot use Vulkan;"
  echo "it will try OpenGL ES next (NVIDIA's libEGL/libGLESv2 if present, else Mesa's software one)"
fi
for d in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d; do
  [ -d "$d" ] && echo "ICDs in $d: $(ls "$d" | tr '\n' ' ')"
done
if have vulkaninfo; then
  timeout 20 vulkaninfo --summary 2>&1 | grep -E 'deviceName|driverName|driverInfo|apiVersion|deviceType' | head -12
else
  echo "vulkaninfo: not installed (optional)"
fi

section "node_modules"
ok=1
for f in node_modules/webgpu/dist/linux-x64/dawn.node node_modules/@tensorflow/tfjs-backend-webgpu/package.json \
         node_modules/@tensorflow/tfjs/package.json node_modules/@tensorflow/tfjs-backend-wasm/package.json node_modules/tsx/package.json; do
  if [ -e "$f" ]; then echo "ok       $f"; else echo "MISSING  $f"; ok=0; fi
done
if [ "$ok" -ne 1 ]; then
  echo "Copy node_modules from a machine where 'npm ci' ran (same OS/CPU architecture)."
  exit 1
fi
if have ldd; then
  missing=$(ldd node_modules/webgpu/dist/linux-x64/dawn.node 2>&1 | grep 'not found' || true)
  [ -n "$missing" ] && echo "dawn.node is missing shared libraries: $missing"
fi

section "gpu-check.ts"
timeout 280 node --import tsx bench/gpu-check.ts --out "$stem.json" "$@"
rc=$?
[ "$rc" -eq 124 ] && echo "gpu-check: stopped after 280 s; the sections above are what it measured"
section "files"
echo "$stem.txt"
[ -e "$stem.json" ] && echo "$stem.json"
exit "$rc"
