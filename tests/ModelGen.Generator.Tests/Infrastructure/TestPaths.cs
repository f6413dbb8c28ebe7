using System;
using System.IO;

namespace ModelGen.Generator.Tests.Infrastructure
{
    /// <summary>
    /// The one place tests find files in the source tree: baselines, fixtures, the generator's release tracking and the
    /// runtime tests' data. Paths start at the repository root, found from the test binaries upward (they are built under
    /// tests/ModelGen.Generator.Tests/bin), so a test file can move between folders without a relative path to fix.
    /// </summary>
    internal static class TestPaths
    {
        private static readonly Lazy<string> s_root = new(() =>
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ModelGen.sln"))) return dir.FullName;
            }
            throw new DirectoryNotFoundException($"No ModelGen.sln above {AppContext.BaseDirectory}: the tests run from the repository's build output.");
        });

        /// <summary>The repository root (the directory holding ModelGen.sln).</summary>
        public static string RepositoryRoot => s_root.Value;

        /// <summary>A path under the repository root.</summary>
        public static string InRepository(params string[] parts) => Path.Combine(RepositoryRoot, Path.Combine(parts));

        /// <summary>This test project's source directory, tests/ModelGen.Generator.Tests.</summary>
        public static string ProjectDirectory => InRepository("tests", "ModelGen.Generator.Tests");

        /// <summary>The snapshot baselines, tests/ModelGen.Generator.Tests/Baselines (rewritten in place on update).</summary>
        public static string Baselines => Path.Combine(ProjectDirectory, "Baselines");

        /// <summary>A file of the runtime tests' data, tests/ModelGen.Tests/Data/{folder}/{name}, as bytes.</summary>
        public static byte[] RuntimeTestData(string folder, string name) =>
            File.ReadAllBytes(InRepository("tests", "ModelGen.Tests", "Data", folder, name));
    }
}
