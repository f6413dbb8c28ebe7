using System;
using System.Collections.Generic;

namespace ModelGen.Generator.Emit
{
    /// <summary>How a tiered body is guarded.</summary>
    internal enum TierGuard
    {
        /// <summary>
        /// Vector512, else Vector256 with FMA, else the portable Vector128 code as the final <c>else</c>: for bodies that use
        /// <c>FusedMultiplyAdd</c> on the wide tiers and have no scalar fallback.
        /// </summary>
        FusedMultiplyAdd,

        /// <summary>
        /// Each tier behind its own <c>IsHardwareAccelerated</c>, no final <c>else</c>: for element-wise loops that a scalar
        /// loop after them finishes.
        /// </summary>
        Accelerated,
    }

    /// <summary>
    /// The one place that writes a body once per hardware tier (Vector512, Vector256, Vector128) behind the tier checks.
    /// Tiers whose code comes out the same are written once: a layer of 8 to 15 units uses Vector256 on the Vector512 tier
    /// too, and one of 4 to 7 units the same Vector128 code on all three. The compiler then has a third or two thirds less
    /// to bind and emit; the JIT keeps one tier either way.
    /// </summary>
    internal static class Tiers
    {
        /// <summary>The vector widths, widest first.</summary>
        public static readonly int[] Bits = { 512, 256, 128 };

        /// <summary>The run-time check that selects tier <paramref name="bits"/>.</summary>
        public static string Condition(int bits, TierGuard guard) =>
            guard == TierGuard.FusedMultiplyAdd && bits == 256
                ? $"{TypeRefs.Vector(bits)}.IsHardwareAccelerated && {TypeRefs.Fma}.IsSupported"
                : $"{TypeRefs.Vector(bits)}.IsHardwareAccelerated";

        /// <summary>Writes <paramref name="body"/> (called with 512, 256 and 128) behind the tier checks of <paramref name="guard"/>.</summary>
        public static void Write(SourceWriter w, TierGuard guard, Action<int, SourceWriter> body)
        {
            // Adjacent tiers with the same text form one group.
            var groups = new List<(List<int> Bits, string Body)>();
            foreach (int bits in Bits)
            {
                SourceWriter tier = w.ForBody();
                body(bits, tier);
                string text = tier.ToString();
                if (groups.Count > 0 && groups[groups.Count - 1].Body == text) groups[groups.Count - 1].Bits.Add(bits);
                else groups.Add((new List<int> { bits }, text));
            }
            bool finalElse = guard == TierGuard.FusedMultiplyAdd;
            if (groups.Count == 1 && finalElse)
            {
                w.WriteLine("// The same code on every hardware tier.");
                w.WriteBlock(null, groups[0].Body);
                return;
            }
            for (int g = 0; g < groups.Count; g++)
            {
                string header;
                if (g == groups.Count - 1 && finalElse)
                {
                    header = "else";
                }
                else
                {
                    var conditions = new List<string>();
                    foreach (int bits in groups[g].Bits)
                    {
                        string condition = Condition(bits, guard);
                        conditions.Add(groups[g].Bits.Count > 1 && condition.Contains("&&") ? "(" + condition + ")" : condition);
                    }
                    header = $"{(g == 0 ? "if" : "else if")} ({string.Join(" || ", conditions)})";
                }
                w.WriteBlock(header, groups[g].Body);
            }
        }
    }
}
