using System;

namespace ModelGen
{
    /// <summary>
    /// Orders the tensors of a weights file by name: the layer prefix in natural order (<c>2.weight</c> before
    /// <c>10.weight</c>), then each layer's kernel before its bias. Shared by the runtime's weight-file loader and, as a
    /// linked file, the generator.
    /// </summary>
    internal static class TensorNames
    {
        /// <summary>True for a bias tensor (the name ends in <c>bias</c>).</summary>
        public static bool IsBias(string name) => name.EndsWith("bias", StringComparison.OrdinalIgnoreCase);

        /// <summary>True for a PyTorch-style weight (<c>[units, inputs]</c>; the name ends in <c>weight</c>).</summary>
        public static bool IsTorchWeight(string name) => name.EndsWith("weight", StringComparison.OrdinalIgnoreCase);

        /// <summary>Natural order of the layer prefix, then kernel (or weight) before bias.</summary>
        public static int Compare(string a, string b)
        {
            int byPrefix = Natural(Prefix(a), Prefix(b));
            return byPrefix != 0 ? byPrefix : IsBias(a).CompareTo(IsBias(b));
        }

        // The name up to its last '.' or '/': the layer.
        private static string Prefix(string name)
        {
            int cut = Math.Max(name.LastIndexOf('.'), name.LastIndexOf('/'));
            return cut < 0 ? "" : name.Substring(0, cut);
        }

        // Ordinal, except that runs of digits compare as numbers.
        private static int Natural(string a, string b)
        {
            int i = 0, j = 0;
            while (i < a.Length && j < b.Length)
            {
                if (a[i] >= '0' && a[i] <= '9' && b[j] >= '0' && b[j] <= '9')
                {
                    int si = i, sj = j;
                    while (i < a.Length && a[i] >= '0' && a[i] <= '9') i++;
                    while (j < b.Length && b[j] >= '0' && b[j] <= '9') j++;
                    string na = a.Substring(si, i - si).TrimStart('0'), nb = b.Substring(sj, j - sj).TrimStart('0');
                    int c = na.Length != nb.Length ? na.Length.CompareTo(nb.Length) : string.CompareOrdinal(na, nb);
                    if (c != 0) return c;
                }
                else
                {
                    if (a[i] != b[j]) return a[i].CompareTo(b[j]);
                    i++;
                    j++;
                }
            }
            return (a.Length - i).CompareTo(b.Length - j);
        }
    }
}
