using System;
using System.Text;

namespace ModelGen.Generator.Emit
{
    /// <summary>A small indented text writer: one StringBuilder, an indent level, and disposable brace blocks.</summary>
    internal sealed class SourceWriter
    {
        private const string IndentUnit = "    ";

        /// <summary>Lines longer than this (indent included) are wrapped: doc summaries at spaces, code at the commas of an argument list or the terms of a sum.</summary>
        public const int MaxLineLength = 140;
        private readonly StringBuilder _builder = new();
        private int _indent;

        /// <summary>Writes one line at the current indent (an empty string writes an empty line).</summary>
        public void WriteLine(string line = "")
        {
            if (line.Length > 0 && _indent * IndentUnit.Length + line.Length > MaxLineLength)
            {
                foreach (string part in LineWrap.Wrap(line, MaxLineLength - _indent * IndentUnit.Length, IndentUnit)) WriteRaw(part);
                return;
            }
            WriteRaw(line);
        }

        private void WriteRaw(string line)
        {
            if (line.Length > 0)
            {
                for (int i = 0; i < _indent; i++) _builder.Append(IndentUnit);
                _builder.Append(line);
            }
            _builder.Append('\n');
        }

        /// <summary>Writes each line of a multi-line string at the current indent.</summary>
        public void WriteLines(string text)
        {
            foreach (string line in text.Replace("\r\n", "\n").Split('\n')) WriteLine(line.TrimEnd());
        }

        /// <summary>Writes <c>{</c>, indents, and on dispose unindents and writes <c>}</c> plus <paramref name="closingSuffix"/>.</summary>
        public Block Braces(string? header = null, string closingSuffix = "")
        {
            if (header is not null) WriteLine(header);
            WriteLine("{");
            _indent++;
            return new Block(this, closingSuffix);
        }

        /// <summary>Increases the indent.</summary>
        public void Indent() => _indent++;

        /// <summary>Decreases the indent.</summary>
        public void Unindent() => _indent--;

        /// <summary>A new, empty writer whose lines start one level deeper than this one's: for a block body written aside.</summary>
        public SourceWriter ForBody() => new() { _indent = _indent + 1 };

        /// <summary>Appends text written by <see cref="ForBody"/> inside <c>{</c> <c>}</c> at the current indent.</summary>
        public void WriteBlock(string? header, string body)
        {
            if (header is not null) WriteLine(header);
            WriteLine("{");
            _builder.Append(body);
            WriteLine("}");
        }

        /// <inheritdoc/>
        public override string ToString() => _builder.ToString();

        /// <summary>Closes a brace block.</summary>
        public readonly struct Block : IDisposable
        {
            private readonly SourceWriter _writer;
            private readonly string _suffix;

            internal Block(SourceWriter writer, string suffix)
            {
                _writer = writer;
                _suffix = suffix;
            }

            /// <summary>Unindents and writes the closing brace.</summary>
            public void Dispose()
            {
                _writer._indent--;
                _writer.WriteLine("}" + _suffix);
            }
        }
    }
}
