// Compiled into both the runtime and the generator (linked, like everything under Formats/): one JSON reader for model
// files (with spans, for located diagnostics) and for the JSON headers of weights files. In the generator the spans are
// Roslyn's TextSpan; the runtime has the small stand-in at the end of this file.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
#if MODELGEN_GENERATOR
using Microsoft.CodeAnalysis.Text;
#endif

namespace ModelGen.Formats.Json
{
    /// <summary>The kind of a <see cref="JsonNode"/>.</summary>
    internal enum JsonKind : byte
    {
        /// <summary><c>{ ... }</c>: ordered properties.</summary>
        Object,
        /// <summary><c>[ ... ]</c>: ordered items.</summary>
        Array,
        /// <summary>A string, stored decoded.</summary>
        String,
        /// <summary>A number (also Python's <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c>), stored as its text and a double.</summary>
        Number,
        /// <summary><c>true</c>.</summary>
        True,
        /// <summary><c>false</c>.</summary>
        False,
        /// <summary><c>null</c>.</summary>
        Null,
    }

    /// <summary>One property of a JSON object: its decoded name, the span of the name (quotes included) and its value.</summary>
    internal readonly struct JsonProperty
    {
        /// <summary>Creates a property.</summary>
        public JsonProperty(string name, TextSpan nameSpan, JsonNode value)
        {
            Name = name;
            NameSpan = nameSpan;
            Value = value;
        }

        /// <summary>The decoded name.</summary>
        public string Name { get; }

        /// <summary>Where the name is in the text, quotes included.</summary>
        public TextSpan NameSpan { get; }

        /// <summary>The value.</summary>
        public JsonNode Value { get; }
    }

    /// <summary>
    /// A node of the small JSON DOM <see cref="JsonReader"/> builds: every node knows its span in the source text, so
    /// that diagnostics can point at the offending value.
    /// </summary>
    /// <remarks>Used only inside a reader; never cached or passed down the pipeline.</remarks>
    internal sealed class JsonNode
    {
        /// <summary>Shared empty property list of non-objects.</summary>
        private static readonly JsonProperty[] s_noProperties = new JsonProperty[0];
        /// <summary>Shared empty item list of non-arrays.</summary>
        private static readonly JsonNode[] s_noItems = new JsonNode[0];

        /// <summary>Creates a node; the factories below fill the kind-specific parts.</summary>
        private JsonNode(JsonKind kind, TextSpan span)
        {
            Kind = kind;
            Span = span;
        }

        /// <summary>What this node is.</summary>
        public JsonKind Kind { get; }

        /// <summary>Where the value is in the text (the whole object or array, strings with their quotes).</summary>
        public TextSpan Span { get; }

        /// <summary>The decoded string (strings), or the number as written (numbers); null otherwise.</summary>
        public string? Text { get; private set; }

        /// <summary>The number, parsed with the invariant culture (out-of-range literals become infinities); NaN for non-numbers.</summary>
        public double Number { get; private set; } = double.NaN;

        /// <summary>The properties of an object, in source order (empty for other kinds).</summary>
        public JsonProperty[] Properties { get; private set; } = s_noProperties;

        /// <summary>The items of an array, in order (empty for other kinds).</summary>
        public JsonNode[] Items { get; private set; } = s_noItems;

        /// <summary>True for objects.</summary>
        public bool IsObject => Kind == JsonKind.Object;

        /// <summary>True for arrays.</summary>
        public bool IsArray => Kind == JsonKind.Array;

        /// <summary>True for strings.</summary>
        public bool IsString => Kind == JsonKind.String;

        /// <summary>True for numbers.</summary>
        public bool IsNumber => Kind == JsonKind.Number;

        /// <summary>True for <c>null</c>.</summary>
        public bool IsNull => Kind == JsonKind.Null;

        /// <summary>True for <c>true</c> and <c>false</c>.</summary>
        public bool IsBool => Kind is JsonKind.True or JsonKind.False;

        /// <summary>The decoded string of a string node; null for other kinds.</summary>
        public string? StringValue => Kind == JsonKind.String ? Text : null;

        /// <summary>
        /// The value of property <paramref name="name"/> of an object, or null when absent (or when this is not an object).
        /// With duplicate names the last one wins, as in Python's <c>json</c> module.
        /// </summary>
        public JsonNode? this[string name] => TryGetProperty(name, out JsonProperty property) ? property.Value : null;

        /// <summary>Finds property <paramref name="name"/> (the last one when the name repeats).</summary>
        public bool TryGetProperty(string name, out JsonProperty property)
        {
            JsonProperty[] properties = Properties;
            for (int i = properties.Length - 1; i >= 0; i--)
            {
                if (string.Equals(properties[i].Name, name, StringComparison.Ordinal))
                {
                    property = properties[i];
                    return true;
                }
            }
            property = default;
            return false;
        }

        /// <summary>True when this is a number with an integral value, which is then returned in <paramref name="value"/>.</summary>
        public bool TryGetInteger(out long value)
        {
            value = 0;
            if (Kind != JsonKind.Number || double.IsNaN(Number) || double.IsInfinity(Number)) return false;
            double d = Number;
            if (d != Math.Floor(d) || d > long.MaxValue || d < long.MinValue) return false;
            value = (long)d;
            return true;
        }

        /// <summary>A short rendering for messages: strings quoted, numbers as written, containers abbreviated.</summary>
        public string Describe() => Kind switch
        {
            JsonKind.String => "\"" + (Text!.Length > 60 ? Text.Substring(0, 60) + "..." : Text) + "\"",
            JsonKind.Number => Text!,
            JsonKind.True => "true",
            JsonKind.False => "false",
            JsonKind.Null => "null",
            JsonKind.Object => "an object",
            _ => "an array",
        };

        /// <summary>Creates a string node.</summary>
        internal static JsonNode String(TextSpan span, string value) => new(JsonKind.String, span) { Text = value };

        /// <summary>Creates a number node.</summary>
        internal static JsonNode NumberNode(TextSpan span, string text, double value) => new(JsonKind.Number, span) { Text = text, Number = value };

        /// <summary>Creates a <c>true</c>, <c>false</c> or <c>null</c> node.</summary>
        internal static JsonNode Literal(JsonKind kind, TextSpan span) => new(kind, span);

        /// <summary>Creates an object node.</summary>
        internal static JsonNode Object(TextSpan span, JsonProperty[] properties) => new(JsonKind.Object, span) { Properties = properties };

        /// <summary>Creates an array node.</summary>
        internal static JsonNode Array(TextSpan span, JsonNode[] items) => new(JsonKind.Array, span) { Items = items };
    }

    /// <summary>Why a text is not JSON, and where (a character offset into the text).</summary>
    internal readonly record struct JsonParseError(string Message, int Position);

    /// <summary>
    /// A small, strict JSON parser (RFC 8259, plus Python's <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c>, which
    /// Python's <c>json.dumps</c> writes) that keeps the span of every value and property name for diagnostics.
    /// </summary>
    /// <remarks>
    /// It never throws on bad input (only <see cref="OperationCanceledException"/> when cancelled), never loops without
    /// consuming input, and bounds its recursion by <see cref="MaxDepth"/>. A leading byte order mark is skipped.
    /// </remarks>
    internal sealed class JsonReader
    {
        /// <summary>The deepest nesting of objects and arrays accepted.</summary>
        public const int MaxDepth = 256;

        /// <summary>How many values are parsed between two cancellation checks.</summary>
        private const int CancellationInterval = 4096;

        /// <summary>The text being parsed.</summary>
        private readonly string _text;
        /// <summary>Checked every <see cref="CancellationInterval"/> values.</summary>
        private readonly CancellationToken _cancellationToken;
        /// <summary>Properties of the objects being parsed, shared by all levels (each level copies out its own tail).</summary>
        private readonly List<JsonProperty> _propertyStack = new();
        /// <summary>Items of the arrays being parsed, shared by all levels like <see cref="_propertyStack"/>.</summary>
        private readonly List<JsonNode> _itemStack = new();
        /// <summary>Reused for strings with escapes.</summary>
        private StringBuilder? _builder;
        /// <summary>The current offset into <see cref="_text"/>.</summary>
        private int _pos;
        /// <summary>Values left before the next cancellation check.</summary>
        private int _untilCheck = CancellationInterval;
        /// <summary>The first error, if any.</summary>
        private JsonParseError? _error;

        /// <summary>Creates a parser over <paramref name="text"/>.</summary>
        private JsonReader(string text, CancellationToken cancellationToken)
        {
            _text = text;
            _cancellationToken = cancellationToken;
        }

        /// <summary>
        /// Parses <paramref name="text"/> as one JSON value surrounded by optional whitespace. Returns the root, or null
        /// with <paramref name="error"/> set. Throws only <see cref="OperationCanceledException"/>.
        /// </summary>
        public static JsonNode? Parse(string text, CancellationToken cancellationToken, out JsonParseError error)
        {
            var reader = new JsonReader(text, cancellationToken);
            if (text.Length > 0 && text[0] == '\uFEFF') reader._pos = 1;
            cancellationToken.ThrowIfCancellationRequested();
            JsonNode? root = reader.ParseDocument();
            error = reader._error ?? default;
            return root;
        }

        /// <summary>Parses the one top-level value and checks that only whitespace follows.</summary>
        private JsonNode? ParseDocument()
        {
            SkipWhitespace();
            if (_pos >= _text.Length) return Fail("the file is empty: expected a JSON value", _pos);
            JsonNode? root = ParseValue(0);
            if (root is null) return null;
            SkipWhitespace();
            if (_pos < _text.Length) return Fail("unexpected " + Describe(_pos) + " after the end of the JSON value", _pos);
            return root;
        }

        /// <summary>Records the first error and returns null, so that callers can <c>return Fail(...)</c>.</summary>
        private JsonNode? Fail(string message, int position)
        {
            _error ??= new JsonParseError(message, Math.Min(Math.Max(position, 0), _text.Length));
            return null;
        }

        /// <summary><see cref="Fail"/> for string-returning callers.</summary>
        private string? FailString(string message, int position)
        {
            Fail(message, position);
            return null;
        }

        /// <summary>The character at <paramref name="position"/> for a message (or "end of file").</summary>
        private string Describe(int position)
        {
            if (position >= _text.Length) return "end of file";
            char c = _text[position];
            return c < ' ' ? "character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : "'" + c + "'";
        }

        /// <summary>Skips the four JSON whitespace characters.</summary>
        private void SkipWhitespace()
        {
            string text = _text;
            int pos = _pos;
            while (pos < text.Length)
            {
                char c = text[pos];
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
                pos++;
            }
            _pos = pos;
        }

        /// <summary>Parses any value at <see cref="_pos"/>; <paramref name="depth"/> is the nesting of its container.</summary>
        private JsonNode? ParseValue(int depth)
        {
            if (--_untilCheck <= 0)
            {
                _untilCheck = CancellationInterval;
                _cancellationToken.ThrowIfCancellationRequested();
            }
            if (_pos >= _text.Length) return Fail("unexpected end of file: expected a value", _pos);
            char c = _text[_pos];
            switch (c)
            {
                case '{': return ParseObject(depth + 1);
                case '[': return ParseArray(depth + 1);
                case '"':
                    {
                        int start = _pos;
                        string? s = ParseString();
                        return s is null ? null : JsonNode.String(TextSpan.FromBounds(start, _pos), s);
                    }
                case 't': return ParseLiteral("true", JsonKind.True);
                case 'f': return ParseLiteral("false", JsonKind.False);
                case 'n': return ParseLiteral("null", JsonKind.Null);
                case 'N': return ParseNamedNumber("NaN", double.NaN, _pos);
                case 'I': return ParseNamedNumber("Infinity", double.PositiveInfinity, _pos);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber();
                    return Fail("unexpected " + Describe(_pos) + ": expected a value", _pos);
            }
        }

        /// <summary>Parses <c>true</c>, <c>false</c> or <c>null</c>.</summary>
        private JsonNode? ParseLiteral(string word, JsonKind kind)
        {
            int start = _pos;
            if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0 || !EndsWord(_pos + word.Length))
                return Fail("unexpected " + Describe(_pos) + ": expected a value", _pos);
            _pos += word.Length;
            return JsonNode.Literal(kind, new TextSpan(start, word.Length));
        }

        /// <summary>Parses Python's <c>NaN</c> or <c>Infinity</c> (after an optional minus at <paramref name="start"/>).</summary>
        private JsonNode? ParseNamedNumber(string word, double value, int start)
        {
            if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0 || !EndsWord(_pos + word.Length))
                return Fail("unexpected " + Describe(_pos) + ": expected a value", _pos);
            _pos += word.Length;
            return JsonNode.NumberNode(TextSpan.FromBounds(start, _pos), _text.Substring(start, _pos - start), value);
        }

        /// <summary>True when no letter, digit or underscore continues a literal at <paramref name="position"/>.</summary>
        private bool EndsWord(int position) => position >= _text.Length || !char.IsLetterOrDigit(_text[position]) && _text[position] != '_';

        /// <summary>Parses a number with the RFC 8259 grammar, keeping its text.</summary>
        private JsonNode? ParseNumber()
        {
            string text = _text;
            int start = _pos;
            int pos = _pos;
            if (text[pos] == '-')
            {
                pos++;
                if (pos < text.Length && text[pos] == 'I')
                {
                    _pos = pos;
                    return ParseNamedNumber("Infinity", double.NegativeInfinity, start);
                }
            }
            if (pos >= text.Length || !IsDigit(text[pos])) return Fail("invalid number: expected a digit", pos);
            if (text[pos] == '0')
            {
                pos++;
                if (pos < text.Length && IsDigit(text[pos])) return Fail("invalid number: leading zeros are not allowed", pos);
            }
            else
            {
                while (pos < text.Length && IsDigit(text[pos])) pos++;
            }
            if (pos < text.Length && text[pos] == '.')
            {
                pos++;
                if (pos >= text.Length || !IsDigit(text[pos])) return Fail("invalid number: expected a digit after the decimal point", pos);
                while (pos < text.Length && IsDigit(text[pos])) pos++;
            }
            if (pos < text.Length && (text[pos] == 'e' || text[pos] == 'E'))
            {
                pos++;
                if (pos < text.Length && (text[pos] == '+' || text[pos] == '-')) pos++;
                if (pos >= text.Length || !IsDigit(text[pos])) return Fail("invalid number: expected a digit in the exponent", pos);
                while (pos < text.Length && IsDigit(text[pos])) pos++;
            }
            _pos = pos;
            string literal = text.Substring(start, pos - start);
            if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                // .NET Framework fails on overflow where .NET Core returns an infinity; the grammar was checked above.
                value = literal[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            }
            return JsonNode.NumberNode(TextSpan.FromBounds(start, pos), literal, value);
        }

        /// <summary>True for ASCII digits.</summary>
        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        /// <summary>Parses a string at <see cref="_pos"/> (on its opening quote); leaves <see cref="_pos"/> after the closing quote.</summary>
        private string? ParseString()
        {
            string text = _text;
            int start = ++_pos;
            int pos = start;
            // Fast path: no escapes.
            while (pos < text.Length)
            {
                char c = text[pos];
                if (c == '"')
                {
                    _pos = pos + 1;
                    return text.Substring(start, pos - start);
                }
                if (c == '\\') break;
                if (c < ' ') return FailString("control character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + " in a string: escape it", pos);
                pos++;
            }
            if (pos >= text.Length) return FailString("unterminated string", start - 1);

            StringBuilder builder = _builder ??= new StringBuilder();
            builder.Clear();
            builder.Append(text, start, pos - start);
            while (pos < text.Length)
            {
                char c = text[pos];
                if (c == '"')
                {
                    _pos = pos + 1;
                    return builder.ToString();
                }
                if (c < ' ') return FailString("control character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + " in a string: escape it", pos);
                if (c != '\\')
                {
                    builder.Append(c);
                    pos++;
                    continue;
                }
                if (pos + 1 >= text.Length) break;
                char e = text[pos + 1];
                switch (e)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        {
                            int code = 0;
                            for (int i = 0; i < 4; i++)
                            {
                                int at = pos + 2 + i;
                                int digit = at < text.Length ? HexValue(text[at]) : -1;
                                if (digit < 0) return FailString("invalid \\u escape: expected four hexadecimal digits", pos);
                                code = code * 16 + digit;
                            }
                            // Surrogate pairs arrive as two escapes and are appended unit by unit, which joins them.
                            builder.Append((char)code);
                            pos += 6;
                            continue;
                        }
                    default:
                        return FailString("invalid escape sequence '\\" + e + "' in a string", pos);
                }
                pos += 2;
            }
            return FailString("unterminated string", start - 1);
        }

        /// <summary>The value of a hexadecimal digit, or -1.</summary>
        private static int HexValue(char c) =>
            c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1;

        /// <summary>Parses an object at <see cref="_pos"/>, failing beyond <see cref="MaxDepth"/>.</summary>
        private JsonNode? ParseObject(int depth)
        {
            int start = _pos;
            if (depth > MaxDepth) return Fail("objects and arrays are nested more than " + MaxDepth + " deep", start);
            _pos++;
            int mark = _propertyStack.Count;
            SkipWhitespace();
            if (_pos < _text.Length && _text[_pos] == '}')
            {
                _pos++;
                return JsonNode.Object(TextSpan.FromBounds(start, _pos), new JsonProperty[0]);
            }
            while (true)
            {
                SkipWhitespace();
                if (_pos >= _text.Length) return Fail("unexpected end of file: expected a property name or '}'", _pos);
                if (_text[_pos] != '"') return Fail("unexpected " + Describe(_pos) + ": expected a property name in double quotes", _pos);
                int nameStart = _pos;
                string? name = ParseString();
                if (name is null) return null;
                var nameSpan = TextSpan.FromBounds(nameStart, _pos);
                SkipWhitespace();
                if (_pos >= _text.Length || _text[_pos] != ':') return Fail("unexpected " + Describe(_pos) + ": expected ':' after the property name", _pos);
                _pos++;
                SkipWhitespace();
                JsonNode? value = ParseValue(depth);
                if (value is null) return null;
                _propertyStack.Add(new JsonProperty(name, nameSpan, value));
                SkipWhitespace();
                if (_pos >= _text.Length) return Fail("unexpected end of file: expected ',' or '}'", _pos);
                char c = _text[_pos];
                _pos++;
                if (c == ',') continue;
                if (c == '}') break;
                return Fail("unexpected " + Describe(_pos - 1) + ": expected ',' or '}'", _pos - 1);
            }
            var properties = new JsonProperty[_propertyStack.Count - mark];
            _propertyStack.CopyTo(mark, properties, 0, properties.Length);
            _propertyStack.RemoveRange(mark, properties.Length);
            return JsonNode.Object(TextSpan.FromBounds(start, _pos), properties);
        }

        /// <summary>Parses an array at <see cref="_pos"/>, failing beyond <see cref="MaxDepth"/>.</summary>
        private JsonNode? ParseArray(int depth)
        {
            int start = _pos;
            if (depth > MaxDepth) return Fail("objects and arrays are nested more than " + MaxDepth + " deep", start);
            _pos++;
            int mark = _itemStack.Count;
            SkipWhitespace();
            if (_pos < _text.Length && _text[_pos] == ']')
            {
                _pos++;
                return JsonNode.Array(TextSpan.FromBounds(start, _pos), new JsonNode[0]);
            }
            while (true)
            {
                SkipWhitespace();
                JsonNode? item = ParseValue(depth);
                if (item is null) return null;
                _itemStack.Add(item);
                SkipWhitespace();
                if (_pos >= _text.Length) return Fail("unexpected end of file: expected ',' or ']'", _pos);
                char c = _text[_pos];
                _pos++;
                if (c == ',') continue;
                if (c == ']') break;
                return Fail("unexpected " + Describe(_pos - 1) + ": expected ',' or ']'", _pos - 1);
            }
            var items = new JsonNode[_itemStack.Count - mark];
            _itemStack.CopyTo(mark, items, 0, items.Length);
            _itemStack.RemoveRange(mark, items.Length);
            return JsonNode.Array(TextSpan.FromBounds(start, _pos), items);
        }
    }
}

#if !MODELGEN_GENERATOR
namespace ModelGen.Formats.Json
{
    /// <summary>The runtime's stand-in for Roslyn's <c>TextSpan</c>: a start and a length in the text.</summary>
    internal readonly struct TextSpan
    {
        /// <summary>A span of <paramref name="length"/> characters from <paramref name="start"/>.</summary>
        public TextSpan(int start, int length)
        {
            Start = start;
            Length = length;
        }

        /// <summary>The first character.</summary>
        public int Start { get; }

        /// <summary>The number of characters.</summary>
        public int Length { get; }

        /// <summary>Just past the last character.</summary>
        public int End => Start + Length;

        /// <summary>The span from <paramref name="start"/> to <paramref name="end"/>.</summary>
        public static TextSpan FromBounds(int start, int end) => new(start, end - start);
    }
}
#endif
