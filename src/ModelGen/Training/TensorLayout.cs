// This file is compiled into both the runtime and the generator (linked): one way of putting the tensors of a weights
// file into the flat parameter layout, for WeightFile.LoadSafetensors and for [Model(Weights = ...)].
using System;
using System.Collections.Generic;

namespace ModelGen
{
    /// <summary>A tensor of a weights file: its name, its shape, and where its values start in the file's values.</summary>
    /// <remarks>Equal when name, shape and start are (the generator caches decoded weights files holding these).</remarks>
    internal readonly struct TensorEntry : IEquatable<TensorEntry>
    {
        /// <summary>Creates an entry.</summary>
        public TensorEntry(string name, int[] shape, int start)
        {
            Name = name;
            Shape = shape;
            Start = start;
        }

        /// <summary>The tensor's name (<c>dense/kernel</c>, <c>0.weight</c>, ...).</summary>
        public string Name { get; }

        /// <summary>The tensor's shape.</summary>
        public int[] Shape { get; }

        /// <summary>Index of its first value in the file's values.</summary>
        public int Start { get; }

        /// <summary>"name [a, b]", for error messages.</summary>
        public override string ToString() => Name + " [" + string.Join(", ", Shape) + "]";

        /// <inheritdoc/>
        public bool Equals(TensorEntry other)
        {
            if (!string.Equals(Name, other.Name, StringComparison.Ordinal) || Start != other.Start || Shape.Length != other.Shape.Length) return false;
            for (int i = 0; i < Shape.Length; i++)
            {
                if (Shape[i] != other.Shape[i]) return false;
            }
            return true;
        }

        /// <inheritdoc/>
        public override bool Equals(object? obj) => obj is TensorEntry other && Equals(other);

        /// <inheritdoc/>
        public override int GetHashCode()
        {
            int hash = (Name?.GetHashCode() ?? 0) * 31 + Start;
            foreach (int d in Shape) hash = hash * 31 + d;
            return hash;
        }
    }

    /// <summary>
    /// Puts one tensor per kernel and bias into the flat parameter layout (per Dense layer: kernel <c>[inputs x units]</c>
    /// row-major, then bias). Tensors are matched to the layers by shape: Keras-style kernels <c>[inputs, units]</c> are
    /// copied, PyTorch <c>nn.Linear</c> weights <c>[units, inputs]</c> (names ending in <c>weight</c>) are transposed. They
    /// are taken in data order, or, when that does not fit, in natural name order with each layer's kernel before its
    /// bias (PyTorch's writer stores <c>0.bias</c> before <c>0.weight</c>). Nothing that does not fit is reinterpreted.
    /// </summary>
    internal static class TensorLayout
    {
        /// <summary>
        /// The parameters, or null when the tensors do not fit. With <paramref name="layers"/> (the Dense layers'
        /// inputs, units and bias, in order) every tensor must match its layer exactly; without them (the runtime, which
        /// knows only the model's sizes) the kernels must chain from <paramref name="inputSize"/> to
        /// <paramref name="outputSize"/>, each optionally followed by its bias.
        /// </summary>
        public static float[]? Arrange(
            float[] values, IReadOnlyList<TensorEntry> tensors, int inputSize, int outputSize, int parameterCount,
            IReadOnlyList<(int Inputs, int Units, bool UseBias)>? layers)
        {
            var byName = new List<TensorEntry>(tensors);
            byName.Sort((a, b) => CompareNames(a.Name, b.Name));
            return TryFill(values, tensors, inputSize, outputSize, parameterCount, layers)
                ?? TryFill(values, byName, inputSize, outputSize, parameterCount, layers);
        }

        private static float[]? TryFill(
            float[] source, IReadOnlyList<TensorEntry> order, int inputSize, int outputSize, int parameterCount,
            IReadOnlyList<(int Inputs, int Units, bool UseBias)>? layers)
        {
            var values = new float[parameterCount];
            int width = inputSize, offset = 0, layer = -1;
            bool biasMayFollow = false, biasRequired = false;
            foreach (TensorEntry t in order)
            {
                if (t.Shape.Length == 2 && !IsBias(t.Name))
                {
                    if (biasRequired) return null;
                    bool torch = IsTorchWeight(t.Name);
                    int inputs = torch ? t.Shape[1] : t.Shape[0], units = torch ? t.Shape[0] : t.Shape[1];
                    layer++;
                    if (layers is null ? inputs != width : layer >= layers.Count || layers[layer].Inputs != inputs || layers[layer].Units != units) return null;
                    if (offset + (long)inputs * units > parameterCount) return null;
                    for (int i = 0; i < inputs; i++)
                    {
                        for (int j = 0; j < units; j++)
                        {
                            values[offset + i * units + j] = torch ? source[t.Start + j * inputs + i] : source[t.Start + i * units + j];
                        }
                    }
                    offset += inputs * units;
                    width = units;
                    biasMayFollow = true;
                    biasRequired = layers is not null && layers[layer].UseBias;
                }
                else if (t.Shape.Length == 1 && biasMayFollow && t.Shape[0] == width && !IsKernel(t.Name) && offset + width <= parameterCount)
                {
                    if (layers is not null && !biasRequired) return null;
                    Array.Copy(source, t.Start, values, offset, width);
                    offset += width;
                    biasMayFollow = biasRequired = false;
                }
                else
                {
                    return null;
                }
            }
            bool complete = layers is null ? width == outputSize : layer == layers.Count - 1;
            return complete && !biasRequired && offset == parameterCount ? values : null;
        }

        private static bool IsBias(string name) => name.EndsWith("bias", StringComparison.OrdinalIgnoreCase);

        // PyTorch nn.Linear: weight[out, in].
        private static bool IsTorchWeight(string name) => name.EndsWith("weight", StringComparison.OrdinalIgnoreCase);

        private static bool IsKernel(string name) => IsTorchWeight(name) || name.EndsWith("kernel", StringComparison.OrdinalIgnoreCase);

        // Natural order of the layer prefix (2.weight before 10.weight), then kernel before bias.
        private static int CompareNames(string a, string b)
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
                if (IsDigit(a[i]) && IsDigit(b[j]))
                {
                    int si = i, sj = j;
                    while (i < a.Length && IsDigit(a[i])) i++;
                    while (j < b.Length && IsDigit(b[j])) j++;
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

        private static bool IsDigit(char c) => c >= '0' && c <= '9';
    }
}
