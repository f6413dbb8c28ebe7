#!/usr/bin/env bash
# The path a user takes, tested end to end:
#   1. `dotnet pack -c Release` at the repository root, into a temporary folder feed; exactly one package must come out;
#   2. for net10.0 and net9.0: `dotnet new console` in a temporary folder, a nuget.config with that folder feed plus the
#      usual source, `dotnet add package ModelGen --version <ModelGenVersion>`, then build and run app/Program.cs:
#      an attribute model, a Keras JSON model with safetensors weights compiled in, and Fit, each checked against
#      float64 PyTorch numbers (tests/ModelGen.Tests/Data/models.json and training.json, from tests/reference);
#   3. the same project with app/Bad.cs added must fail to build with MGEN001 at Bad.cs line 6 and MGEN025 at
#      bad.modelgen.json line 4.
# The NuGet package cache is a fresh folder under the temporary folder, so the package just packed is the one used.
# Usage: tests/package/run.sh            (KEEP=1 keeps the temporary folder)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/tests/package"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/modelgen-package.XXXXXX")"
trap '[ "${KEEP:-0}" = 1 ] && echo "kept $WORK" || rm -rf "$WORK"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export NUGET_PACKAGES="$WORK/packages"
fail() { echo "package test FAILED: $*" >&2; exit 1; }

VERSION="$(sed -n 's:.*<ModelGenVersion>\(.*\)</ModelGenVersion>.*:\1:p' "$ROOT/Directory.Build.props")"
[ -n "$VERSION" ] || fail "no ModelGenVersion in Directory.Build.props"

echo "== dotnet pack -c Release (repository root) into $WORK/feed"
(cd "$ROOT" && dotnet pack -c Release -o "$WORK/feed" -v quiet -nologo) || fail "dotnet pack"
PACKAGES="$(cd "$WORK/feed" && ls)"
echo "$PACKAGES"
[ "$PACKAGES" = "$(printf 'ModelGen.%s.nupkg\nModelGen.%s.snupkg' "$VERSION" "$VERSION")" ] || fail "expected exactly ModelGen.$VERSION.nupkg and .snupkg"
CONTENTS="$(unzip -Z1 "$WORK/feed/ModelGen.$VERSION.nupkg")"
for entry in lib/net9.0/ModelGen.dll lib/net9.0/ModelGen.xml analyzers/dotnet/cs/ModelGen.Generator.dll \
    build/ModelGen.targets buildTransitive/ModelGen.targets README.md LICENSE; do
  grep -qx "$entry" <<<"$CONTENTS" || fail "the package lacks $entry"
done
NUSPEC="$(unzip -p "$WORK/feed/ModelGen.$VERSION.nupkg" ModelGen.nuspec)"
for field in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<repository type="git"' 'commit="' '<tags>' '<description>'; do
  grep -qF "$field" <<<"$NUSPEC" || fail "the nuspec lacks $field"
done
echo "package contents and metadata: ok"

# The machine may have only the .NET 10 runtime: a net9.0 app then runs on it by rolling forward, as a user would allow.
if ! dotnet --list-runtimes | grep -q '^Microsoft.NETCore.App 9\.'; then
  ROLL_FORWARD=Major
  echo "(no .NET 9 runtime installed: the net9.0 app is built for net9.0 and run with DOTNET_ROLL_FORWARD=Major)"
fi

for TFM in net10.0 net9.0; do
  APP="$WORK/$TFM/UserApp"
  echo "== $TFM: dotnet new console, dotnet add package ModelGen --version $VERSION"
  mkdir -p "$WORK/$TFM"
  # SDK 10's console template offers net10.0 only: a net9.0 user edits TargetFramework, as done here.
  (cd "$WORK/$TFM" && dotnet new console -o UserApp --no-restore >/dev/null) || fail "dotnet new console ($TFM)"
  sed -i "s:<TargetFramework>net10.0</TargetFramework>:<TargetFramework>$TFM</TargetFramework>:" "$APP/UserApp.csproj"
  grep -q "<TargetFramework>$TFM</TargetFramework>" "$APP/UserApp.csproj" || fail "no TargetFramework $TFM"
  cat > "$APP/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$WORK/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
CONFIG
  (cd "$APP" && dotnet add package ModelGen --version "$VERSION") >"$WORK/$TFM/add.log" 2>&1 || { cat "$WORK/$TFM/add.log"; fail "dotnet add package ($TFM)"; }
  grep -q "Include=\"ModelGen\" Version=\"$VERSION\"" "$APP/UserApp.csproj" || fail "ModelGen $VERSION not referenced ($TFM)"
  [ -f "$NUGET_PACKAGES/modelgen/$VERSION/modelgen.nuspec" ] || fail "ModelGen was not restored into the fresh cache"
  cmp -s "$NUGET_PACKAGES/modelgen/$VERSION/lib/net9.0/ModelGen.dll" <(unzip -p "$WORK/feed/ModelGen.$VERSION.nupkg" lib/net9.0/ModelGen.dll) \
    || fail "the restored ModelGen.dll is not the one just packed"

  # The user's code and model files (test data written by tests/reference/make_reference.py and make_weights.py).
  cp "$HERE/app/Program.cs" "$APP/Program.cs"
  mkdir -p "$APP/data"
  cp "$ROOT/tests/ModelGen.Tests/Data/models.json" "$ROOT/tests/ModelGen.Tests/Data/training.json" \
     "$ROOT/tests/ModelGen.Tests/Data/json/iris_like.keras.json" "$ROOT/tests/ModelGen.Tests/Data/weights/iris_like.safetensors" "$APP/data/"
  # The items a user adds for [Model(Json = ..., Weights = ...)], and the data files copied beside the program.
  sed -i 's:</Project>:  <ItemGroup>\n    <AdditionalFiles Include="data/iris_like.keras.json" />\n    <ModelGenWeights Include="data/iris_like.safetensors" />\n  </ItemGroup>\n</Project>:' "$APP/UserApp.csproj"

  echo "== $TFM: dotnet build -c Release"
  (cd "$APP" && dotnet build -c Release -nologo -v quiet -warnaserror) >"$WORK/$TFM/build.log" 2>&1 || { cat "$WORK/$TFM/build.log"; fail "build ($TFM)"; }
  echo "== $TFM: dotnet run -c Release"
  OUT="$(cd "$APP" && DOTNET_ROLL_FORWARD=${ROLL_FORWARD:-} dotnet run -c Release --no-build 2>&1)" || { echo "$OUT"; fail "the app failed ($TFM)"; }
  echo "$OUT"
  for line in "attribute model Forward: 15 values" "json+weights Predict: 15 values" "Fit losses: 3 values" \
      "Fit parameters after 3 steps: 131 values" "package app: all checks passed"; do
    grep -qF "$line" <<<"$OUT" || fail "missing output line '$line' ($TFM)"
  done
  [ "$(grep -c ' ok$' <<<"$OUT")" = 4 ] || fail "not all four checks ok ($TFM)"

  echo "== $TFM: a bad declaration gives the ModelGen diagnostics at the right file and line"
  cp "$HERE/app/Bad.cs" "$HERE/app/bad.modelgen.json" "$APP/"
  sed -i 's:<AdditionalFiles Include="data/iris_like.keras.json" />:&\n    <AdditionalFiles Include="bad.modelgen.json" />:' "$APP/UserApp.csproj"
  if (cd "$APP" && dotnet build -c Release -nologo -v quiet) >"$WORK/$TFM/bad.log" 2>&1; then
    cat "$WORK/$TFM/bad.log"; fail "the bad declaration built ($TFM)"
  fi
  grep -E "error MGEN" "$WORK/$TFM/bad.log" | sort -u
  grep -qE "/Bad\.cs\(6,[0-9]+\): error MGEN001: Model class 'NotPartial' must be declared partial" "$WORK/$TFM/bad.log" || { cat "$WORK/$TFM/bad.log"; fail "no MGEN001 at Bad.cs line 6 ($TFM)"; }
  grep -qE "/bad\.modelgen\.json\(4,[0-9]+\): error MGEN025" "$WORK/$TFM/bad.log" || { cat "$WORK/$TFM/bad.log"; fail "no MGEN025 at bad.modelgen.json line 4 ($TFM)"; }
  [ "$(grep -oE 'error [A-Z]+[0-9]+' "$WORK/$TFM/bad.log" | sort -u | tr '\n' ' ')" = "error MGEN001 error MGEN025 " ] || fail "unexpected other errors ($TFM)"
done
echo "package test: all steps passed"
