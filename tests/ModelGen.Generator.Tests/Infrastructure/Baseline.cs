using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace ModelGen.Generator.Tests.Infrastructure
{
    /// <summary>
    /// Approved-file checks of generated sources. Baselines live in the test project's source tree, in
    /// <c>Baselines/{Scenario}/{HintName}.txt</c> (so <c>Ns.Type.g.cs.txt</c>), found through <see cref="TestPaths.Baselines"/>
    /// so that an update writes into the repository whichever folder the calling test sits in. Set <c>MODELGEN_UPDATE_BASELINES=1</c> to rewrite them instead of comparing.
    /// </summary>
    internal static partial class Baseline
    {
        /// <summary>The environment switch that rewrites baselines.</summary>
        public const string UpdateVariable = "MODELGEN_UPDATE_BASELINES";

        /// <summary>What the generator version is replaced with.</summary>
        public const string VersionPlaceholder = "{version}";

        [GeneratedRegex("""(GeneratedCode(?:Attribute)?\("ModelGen", ")([^"]*)("\))""")]
        private static partial Regex GeneratedCodeVersion();

        /// <summary>True when the run should rewrite baselines.</summary>
        public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

        /// <summary>Replaces the version in <c>[GeneratedCode("ModelGen", "x.y.z")]</c> (with or without the <c>Attribute</c> suffix) and normalizes line ends to <c>\n</c>.</summary>
        public static string Scrub(string text) =>
            GeneratedCodeVersion().Replace(text.Replace("\r\n", "\n"), "${1}" + VersionPlaceholder + "${3}");

        /// <summary>
        /// Compares every file of <paramref name="sources"/> with <c>Baselines/{scenario}/{HintName}.txt</c>, and fails on a
        /// missing or stale baseline file too. With <see cref="UpdateVariable"/> set, writes the files and deletes stale ones.
        /// </summary>
        public static void Verify(string scenario, IEnumerable<GeneratedFile> sources)
        {
            string directory = Path.Combine(TestPaths.Baselines, scenario);
            var expectedFiles = new HashSet<string>(StringComparer.Ordinal);
            var failures = new List<string>();
            if (Updating) Directory.CreateDirectory(directory);
            foreach (GeneratedFile source in sources)
            {
                string path = Path.Combine(directory, source.HintName + ".txt");
                expectedFiles.Add(Path.GetFileName(path));
                string actual = Scrub(source.Text);
                if (Updating)
                {
                    if (!File.Exists(path) || File.ReadAllText(path) != actual) File.WriteAllText(path, actual, new UTF8Encoding(false));
                    continue;
                }
                if (!File.Exists(path))
                {
                    failures.Add($"No baseline {path}");
                    continue;
                }
                string expected = File.ReadAllText(path).Replace("\r\n", "\n");
                if (expected != actual) failures.Add(Describe(path, expected, actual));
            }

            string[] stale = Directory.Exists(directory)
                ? Directory.GetFiles(directory).Where(f => !expectedFiles.Contains(Path.GetFileName(f))).OrderBy(f => f, StringComparer.Ordinal).ToArray()
                : Array.Empty<string>();
            foreach (string file in stale)
            {
                if (Updating) File.Delete(file);
                else failures.Add($"Stale baseline {file}: the generator no longer produces it");
            }

            if (failures.Count > 0)
            {
                throw new XunitException(
                    $"Scenario {scenario}: {failures.Count} baseline(s) differ.\n" + string.Join("\n", failures) +
                    $"\nIf the change is intended, rerun with {UpdateVariable}=1 to rewrite {directory} and review the diff.");
            }
        }

        /// <summary>A short diff: the first differing line, expected and actual.</summary>
        private static string Describe(string path, string expected, string actual)
        {
            string[] e = expected.Split('\n');
            string[] a = actual.Split('\n');
            int line = 0;
            while (line < e.Length && line < a.Length && e[line] == a[line]) line++;
            string Line(string[] lines) => line < lines.Length ? lines[line] : "<end of file>";
            return $"{path}: first difference at line {line + 1} ({e.Length} lines expected, {a.Length} actual)\n" +
                   $"  expected: {Line(e)}\n" +
                   $"  actual:   {Line(a)}";
        }
    }
}
