#!/usr/bin/env bash
# Coverage-guided fuzzing of one ModelGen reader with SharpFuzz + AFL++.
#   tests/ModelGen.Fuzz/fuzz.sh TARGET [SECONDS]      targets: json model tfjs safetensors mgw raw zip hdf5 keras onnx planted
# Needs afl++ (apt-get install -y afl++) and the SharpFuzz command-line tool
# (dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0). Builds this project into
# artifacts/fuzz/bin once, instruments ModelGen.Generator.dll and ModelGen.dll there with `sharpfuzz`, then runs
# afl-fuzz at nice 19 on corpus/TARGET for SECONDS (default 600) into artifacts/fuzz/findings/TARGET. Prints the
# figures of afl's fuzzer_stats at the end. Crashes land in findings/TARGET/default/crashes: replay one (with the
# uninstrumented build: the instrumented one only runs under afl-fuzz) with
#   dotnet run --project tests/ModelGen.Fuzz -c Release -- TARGET FILE...
# and commit it under tests/ModelGen.Fuzz/regressions/TARGET (the mutation tests replay that folder).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${1:?usage: fuzz.sh TARGET [SECONDS]}"
seconds="${2:-600}"
[ -d "$here/corpus/$target" ] || { echo "no corpus for target '$target' (have: $(ls "$here/corpus"))" >&2; exit 2; }
out="${FUZZ_OUT:-$root/artifacts/fuzz}"
bin="$out/bin"
export PATH="$PATH:$HOME/.dotnet/tools" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Build and instrument once (fuzz.sh --rebuild ... or deleting artifacts/fuzz/bin forces it again).
if [ ! -f "$bin/.instrumented" ]; then
  rm -rf "$bin"
  nice -n 19 dotnet publish "$here/ModelGen.Fuzz.csproj" -c Release -o "$bin" -p:UseAppHost=false >/dev/null
  for dll in ModelGen.Generator.dll ModelGen.dll; do
    nice -n 19 sharpfuzz "$bin/$dll"
  done
  # Of the harness itself only the planted bug (PlantedTarget.cs), the harness's self-test: instrumenting Main would
  # make it touch AFL's shared memory before SharpFuzz has mapped it.
  nice -n 19 sharpfuzz "$bin/ModelGen.Fuzz.dll" ModelGen.Fuzz.Planted
  touch "$bin/.instrumented"
fi

dict=()
case "$target" in json|model|tfjs|safetensors) dict=(-x "$here/json.dict") ;; esac
findings="$out/findings/$target"
mkdir -p "$findings"
resume="$here/corpus/$target"
# A second run of the same target resumes from its queue.
[ -d "$findings/default/queue" ] && resume="-"

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_AUTORESUME=1
# -t: 5 s per input (a hang is an input past it); -m none: the .NET runtime reserves far more address space than it uses.
nice -n 19 afl-fuzz -i "$resume" -o "$findings" -t 5000 -m none -V "$seconds" "${dict[@]}" \
  -- dotnet "$bin/ModelGen.Fuzz.dll" "$target" >"$findings/afl.log" 2>&1 || { tail -30 "$findings/afl.log"; exit 1; }

stats="$findings/default/fuzzer_stats"
echo "== $target: $(grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|edges_found|total_edges|saved_crashes|saved_hangs) ' "$stats" | tr -s ' ' | tr '\n' ';')"
