// A planted bug that proves the harness works: coverage reaches this assembly (fuzz.sh instruments it too), AFL++ keeps
// inputs that pass one more of the nested byte comparisons, and an exception becomes a saved crash. Blind mutation
// would need about 2^32 tries to hit the 4-byte prefix; coverage-guided fuzzing finds it in seconds or minutes.
//   tests/ModelGen.Fuzz/fuzz.sh planted 300      must end with saved_crashes >= 1
using System;

namespace ModelGen.Fuzz.Planted
{
    /// <summary>The harness's self-test: throws for inputs that start with "MG!?" (never run outside fuzz.sh).</summary>
    public static class PlantedTarget
    {
        public static void Run(byte[] data)
        {
            if (data.Length < 4 || data[0] != (byte)'M') return;
            if (data[1] != (byte)'G') return;
            if (data[2] != (byte)'!') return;
            if (data[3] != (byte)'?') return;
            throw new IndexOutOfRangeException("planted crash: the fuzzer reached the input \"MG!?\"");
        }
    }
}
