using System.Globalization;

namespace ModelGen.Generator.Emit
{
    /// <summary>The one place numbers become C# text: invariant culture, round-trip precision, explicit NaN and infinities.</summary>
    internal static class Literals
    {
        /// <summary>A float literal such as <c>0.2f</c>, <c>-1E-07f</c> or <c>float.NaN</c>.</summary>
        public static string Float(float value)
        {
            if (float.IsNaN(value)) return "float.NaN";
            if (float.IsPositiveInfinity(value)) return "float.PositiveInfinity";
            if (float.IsNegativeInfinity(value)) return "float.NegativeInfinity";
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            if (value == 0 && FloatPolyfill.IsNegative(value)) text = "-0";
            return text + "f";
        }

        /// <summary>A finite float for comments and messages: <c>0.2</c>, without the literal's suffix.</summary>
        public static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>A double literal, as <see cref="Float"/> does for floats.</summary>
        public static string Double(double value)
        {
            if (double.IsNaN(value)) return "double.NaN";
            if (double.IsPositiveInfinity(value)) return "double.PositiveInfinity";
            if (double.IsNegativeInfinity(value)) return "double.NegativeInfinity";
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.Contains(".") || text.Contains("E") ? text : text + ".0";
        }

        /// <summary>An int literal.</summary>
        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Extensions missing from netstandard2.0.</summary>
    internal static class FloatPolyfill
    {
        /// <summary>True for negative values including -0.</summary>
        public static bool IsNegative(float value) => System.BitConverter.DoubleToInt64Bits(value) < 0;
    }
}
