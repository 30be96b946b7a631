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
# Dawn needs the Vulkan loader (libvulkan.so.1) and the driver's ICD manifest. GPU images
# often lack the loader (Debian/Ubuntu package libvulkan1): on a machine with apt, run
#   bench/gpu-check.sh --prepare
# before copying; it keeps a loader in node_modules/.cache/blobs-vulkan/, used when the GPU
# machine has none. With no ICD manifest but NVIDIA's libGLX_nvidia.so.0 present (it is
# NVIDIA's Vulkan driver), a manifest pointing at it is written for this run.
#
# Written without a GPU to try it on: each step says what it found and carries on; only
# the software adapter (Mesa, `--allow-software`) has run it end to end.
set -uo pipefail
cd "$(dirname "$0")/.."
vk_cache="node_modules/.cache/blobs-vulkan"

if [ "${1:-}" = "--prepare" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if (cd "$tmp" && apt-get download libvulkan1 >/dev/null) && dpkg-deb -x "$tmp"/libvulkan1_*.deb "$tmp/x"; then
    mkdir -p "$vk_cache"
    cp -L "$tmp"/x/usr/lib/*/libvulkan.so.1 "$vk_cache/"
    echo "kept a Vulkan loader for machines without one: $vk_cache/libvulkan.so.1"
    exit 0
  fi
  echo "could not fetch libvulkan1 with apt-get download"
  exit 1
fi

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
elif [ -e "$vk_cache/libvulkan.so.1" ]; then
  export LD_LIBRARY_PATH="$PWD/$vk_cache${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "no system libvulkan.so.1: using the one --prepare kept ($vk_cache)"
else
  echo "libvulkan.so.1 (the Vulkan loader, Debian/Ubuntu: libvulkan1) NOT found: Dawn cannot use Vulkan"
  echo "(run 'bench/gpu-check.sh --prepare' where apt works, then copy node_modules again);"
  echo "it will try OpenGL ES next (NVIDIA's libEGL/libGLESv2 if present, else Mesa's software one)"
fi
icds=0
for d in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d; do
  if [ -d "$d" ] && [ -n "$(ls "$d" 2>/dev/null)" ]; then echo "ICDs in $d: $(ls "$d" | tr '\n' ' ')"; icds=1; fi
done
for lib in libGLX_nvidia.so.0 libEGL_nvidia.so.0 libnvidia-glvkspirv.so; do
  if ldconfig -p 2>/dev/null | grep -q "$lib"; then echo "ok       $lib (NVIDIA's graphics driver part)"; else echo "missing  $lib"; fi
done
if [ "$icds" -eq 0 ] && [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
  if ldconfig -p 2>/dev/null | grep -q 'libGLX_nvidia\.so\.0'; then
    icd="$stem-nvidia_icd.json"
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\n' > "$icd"
    export VK_ICD_FILENAMES="$PWD/$icd" VK_DRIVER_FILES="$PWD/$icd"
    echo "no Vulkan ICD manifest: wrote $icd (NVIDIA's driver library) for this run"
  else
    echo "no Vulkan ICD manifest (e.g. nvidia_icd.json) found: the loader would see no GPU"
  fi
fi
if [ -n "${NVIDIA_DRIVER_CAPABILITIES:-}" ]; then
  echo "NVIDIA_DRIVER_CAPABILITIES=$NVIDIA_DRIVER_CAPABILITIES (a container: Vulkan/EGL need 'graphics' or 'all' in it)"
fi
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
