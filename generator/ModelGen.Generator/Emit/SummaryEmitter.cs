using System.Collections.Generic;
using System.Globalization;
using System.Text;
using ModelGen.Generator.Model;
using N = ModelGen.Generator.Emit.GeneratedNames;

namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// Writes <c>{Ns}.{Type}.Summary.g.cs</c>: <c>public static string Summary()</c>, the table Keras 3's
    /// <c>model.summary()</c> prints for a Sequential model (<c>keras/src/utils/summary_utils.py</c>: a rich table with
    /// heavy head and a line between rows, columns at 45%, 80% and 100% of 88 characters, the parameter count right-aligned,
    /// then the totals with their size in bytes). The table is computed here, once: the method returns a constant.
    /// </summary>
    internal static class SummaryEmitter
    {
        /// <summary>Widths of the three columns between the bars, padding included (Keras's 88-character layout).</summary>
        private static readonly int[] s_columns = { 38, 29, 17 };

        /// <summary>The Keras layer rows of <paramref name="spec"/>: name (type), output shape, parameter count.</summary>
        /// <remarks>
        /// Rows follow the compiled layers with Keras's default names (<c>dense</c>, <c>dense_1</c>, ...): a Dense fused with
        /// a following Activation layer is one Dense row, and dropouts in a row are one Dropout row.
        /// </remarks>
        public static List<(string Name, string Shape, long Parameters)> Rows(NetworkSpec spec)
        {
            var rows = new List<(string, string, long)>();
            var counts = new Dictionary<string, int>();
            string Name(string kind)
            {
                counts.TryGetValue(kind, out int k);
                counts[kind] = k + 1;
                return k == 0 ? kind : kind + "_" + k.ToString(CultureInfo.InvariantCulture);
            }
            string Shape(int width) => "(None, " + width.ToString(CultureInfo.InvariantCulture) + ")";
            if (spec.InputDropout > 0f) rows.Add((Name("dropout") + " (Dropout)", Shape(spec.InputSize), 0));
            foreach (LayerSpec layer in spec.Layers)
            {
                if (layer.Kind == LayerKind.Dense) rows.Add((Name("dense") + " (Dense)", Shape(layer.Units), layer.ParameterCount));
                else if (layer.Kind == LayerKind.Affine) rows.Add((Name(SnakeCase(layer.Affine.ClassName)) + " (" + layer.Affine.ClassName + ")", Shape(layer.Units), layer.StoredCount));
                else rows.Add((Name("activation") + " (Activation)", Shape(layer.Outputs), 0));
                if (layer.HasDropout) rows.Add((Name("dropout") + " (Dropout)", Shape(layer.Outputs), 0));
            }
            return rows;
        }

        /// <summary>The whole summary text, lines separated by <c>\n</c>, without a final line break.</summary>
        public static string Text(NetworkSpec spec)
        {
            var lines = new List<string> { $"Model: \"{spec.ClassName.TrimStart('@')}\"" };
            lines.Add(Rule('┏', '━', '┳', '┓'));
            lines.Add(Row('┃', "Layer (type)", "Output Shape", "Param #"));
            lines.Add(Rule('┡', '━', '╇', '┩'));
            List<(string Name, string Shape, long Parameters)> rows = Rows(spec);
            for (int r = 0; r < rows.Count; r++)
            {
                if (r > 0) lines.Add(Rule('├', '─', '┼', '┤'));
                lines.Add(Row('│', rows[r].Name, rows[r].Shape, Count(rows[r].Parameters)));
            }
            lines.Add(Rule('└', '─', '┴', '┘'));
            long trainable = spec.ParameterCount, frozen = spec.StateCount, total = trainable + frozen;
            lines.Add($" Total params: {Count(total)} ({Bytes(4 * total)})");
            lines.Add($" Trainable params: {Count(trainable)} ({Bytes(4 * trainable)})");
            lines.Add($" Non-trainable params: {Count(frozen)} ({Bytes(4 * frozen)})");
            return string.Join("\n", lines);
        }

        /// <summary>Writes the partial class with <c>Summary()</c>.</summary>
        public static void Write(SourceWriter w, NetworkSpec spec, string generatedCode)
        {
            w.WriteLine("/// <summary>");
            w.WriteLine("/// The table Keras's <c>model.summary()</c> prints for this model: each layer with its output shape and parameter");
            w.WriteLine("/// count, then the totals. Layers carry Keras's default names (<c>dense</c>, <c>dense_1</c>, ...).");
            w.WriteLine("/// </summary>");
            w.WriteLine(generatedCode);
            w.WriteLine($"public static string {N.Summary}() =>");
            string[] lines = Text(spec).Split('\n');
            w.Indent();
            for (int i = 0; i < lines.Length; i++)
            {
                string literal = "\"" + lines[i].Replace("\\", "\\\\").Replace("\"", "\\\"") + (i < lines.Length - 1 ? "\\n\"" : "\"");
                w.WriteLine(literal + (i < lines.Length - 1 ? " +" : ";"));
            }
            w.Unindent();
        }

        private static string Rule(char left, char fill, char middle, char right)
        {
            var line = new StringBuilder().Append(left);
            for (int c = 0; c < s_columns.Length; c++)
            {
                line.Append(fill, s_columns[c]).Append(c < s_columns.Length - 1 ? middle : right);
            }
            return line.ToString();
        }

        // One row: the first two cells left-aligned, the parameter count right-aligned, one space of padding on each side.
        private static string Row(char bar, string name, string shape, string parameters)
        {
            string[] cells = { name, shape, parameters };
            var line = new StringBuilder().Append(bar);
            for (int c = 0; c < cells.Length; c++)
            {
                int width = s_columns[c] - 2;
                string text = cells[c].Length > width ? cells[c].Substring(0, width - 1) + "…" : cells[c];
                line.Append(' ').Append(c == 2 ? text.PadLeft(width) : text.PadRight(width)).Append(' ').Append(bar);
            }
            return line.ToString();
        }

        // BatchNormalization -> batch_normalization (Keras's default layer names).
        private static string SnakeCase(string name)
        {
            var text = new StringBuilder();
            for (int i = 0; i < name.Length; i++)
            {
                if (char.IsUpper(name[i]) && i > 0) text.Append('_');
                text.Append(char.ToLowerInvariant(name[i]));
            }
            return text.ToString();
        }

        // 1,234,567 (Python's "{:,}").
        private static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

        // Keras's readable_memory_size: two decimals, B, KB, MB, ... in steps of 1024.
        private static string Bytes(long bytes)
        {
            string[] units = { "B", "KB", "MB", "GB", "TB", "PB" };
            double size = bytes;
            foreach (string unit in units)
            {
                if (size / 1024 < 1) return size.ToString("0.00", CultureInfo.InvariantCulture) + " " + unit;
                size /= 1024;
            }
            return size.ToString("0.00", CultureInfo.InvariantCulture) + " PB";
        }
    }
}
