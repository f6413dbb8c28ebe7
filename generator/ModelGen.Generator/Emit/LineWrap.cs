using System.Collections.Generic;
using System.Text;

namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// Breaks one long generated line into several, the way a careful hand-written file would: a doc summary at the spaces
    /// between words, a call or signature after its opening parenthesis with the arguments packed on the following lines,
    /// a sum at its <c>+</c> signs. Lines it cannot break stay as they are.
    /// </summary>
    internal static class LineWrap
    {
        /// <summary>The lines of <paramref name="line"/>, each at most <paramref name="width"/> characters where possible.</summary>
        public static IEnumerable<string> Wrap(string line, int width, string indent)
        {
            if (line.StartsWith("/// <summary>", System.StringComparison.Ordinal) && line.EndsWith("</summary>", System.StringComparison.Ordinal))
            {
                return WrapSummary(line.Substring(13, line.Length - 23), width);
            }
            if (line.StartsWith("//", System.StringComparison.Ordinal)) return new[] { line };
            return WrapArguments(line, width, indent) ?? WrapSum(line, width, indent) ?? new[] { line };
        }

        private static IEnumerable<string> WrapSummary(string text, int width)
        {
            var lines = new List<string> { "/// <summary>" };
            var current = new StringBuilder("///");
            int depth = 0;
            var word = new StringBuilder();
            void Flush()
            {
                if (word.Length == 0) return;
                if (current.Length > 3 && current.Length + 1 + word.Length > width)
                {
                    lines.Add(current.ToString());
                    current.Clear().Append("///");
                }
                current.Append(' ').Append(word);
                word.Clear();
            }
            foreach (char c in text)
            {
                if (c == '<' && word.Length == 0) depth++;
                else if (c == '>' && depth > 0) depth--;
                if (c == ' ' && depth == 0) Flush();
                else word.Append(c);
            }
            Flush();
            if (current.Length > 3) lines.Add(current.ToString());
            lines.Add("/// </summary>");
            return lines;
        }

        // The first parenthesized list with top-level commas: "head(" then the arguments packed one indent deeper.
        private static IEnumerable<string>? WrapArguments(string line, int width, string indent)
        {
            var open = new Stack<(char Kind, int At)>();
            bool inString = false;
            var commas = new List<int>();
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (inString)
                {
                    if (c == '\\') i++;
                    else if (c == '"') inString = false;
                    continue;
                }
                switch (c)
                {
                    case '"':
                        inString = true;
                        break;
                    case '(' or '[' or '{':
                        if (open.Count == 0) commas.Clear();
                        open.Push((c, i));
                        break;
                    case '<' when i > 0 && (char.IsLetterOrDigit(line[i - 1]) || line[i - 1] == '_'):
                        open.Push((c, i));
                        break;
                    case '>' when open.Count > 0 && open.Peek().Kind == '<':
                        open.Pop();
                        break;
                    case ')' or ']' or '}':
                        if (open.Count == 0) return null;
                        (char kind, int at) = open.Pop();
                        if (open.Count == 0 && kind == '(' && commas.Count > 0)
                        {
                            var items = new List<string>();
                            int start = at + 1;
                            foreach (int comma in commas)
                            {
                                items.Add(line.Substring(start, comma - start).Trim());
                                start = comma + 1;
                            }
                            items.Add(line.Substring(start, i - start).Trim());
                            return Pack(line.Substring(0, at + 1), items, ",", line.Substring(i), width, indent);
                        }
                        break;
                    case ',' when open.Count == 1 && open.Peek().Kind == '(':
                        commas.Add(i);
                        break;
                }
            }
            return null;
        }

        // "x = a + b + c;": the terms after the first " = " packed one indent deeper, each continuation line starting with "+".
        private static IEnumerable<string>? WrapSum(string line, int width, string indent)
        {
            int assign = line.IndexOf(" = ", System.StringComparison.Ordinal);
            if (assign < 0 || !line.EndsWith(";", System.StringComparison.Ordinal) || line.IndexOf('"') >= 0) return null;
            string[] terms = line.Substring(assign + 3, line.Length - assign - 4).Split(new[] { " + " }, System.StringSplitOptions.None);
            if (terms.Length < 2) return null;
            var lines = new List<string>();
            var current = new StringBuilder(line.Substring(0, assign + 3)).Append(terms[0]);
            for (int t = 1; t < terms.Length; t++)
            {
                if (current.Length + 3 + terms[t].Length > width)
                {
                    lines.Add(current.ToString());
                    current.Clear().Append(indent).Append("+ ").Append(terms[t]);
                }
                else
                {
                    current.Append(" + ").Append(terms[t]);
                }
            }
            lines.Add(current.Append(';').ToString());
            return lines;
        }

        private static IEnumerable<string> Pack(string head, List<string> items, string separator, string tail, int width, string indent)
        {
            var lines = new List<string> { head };
            var current = new StringBuilder(indent);
            for (int k = 0; k < items.Count; k++)
            {
                string item = items[k] + (k < items.Count - 1 ? separator : tail);
                if (current.Length > indent.Length && current.Length + 1 + item.Length > width)
                {
                    lines.Add(current.ToString());
                    current.Clear().Append(indent);
                }
                if (current.Length > indent.Length) current.Append(' ');
                current.Append(item);
            }
            lines.Add(current.ToString());
            return lines;
        }
    }
}
