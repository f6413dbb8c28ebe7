using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ModelGen.Formats.Keras
{
    /// <summary>A layer as a Keras model config lists it: its name and class name (with a registered package, if any).</summary>
    internal sealed class KerasConfigLayer
    {
        public KerasConfigLayer(string name, string className)
        {
            Name = name;
            ClassName = className;
        }

        /// <summary>The layer's name (<c>config.name</c>, or the layer's own <c>name</c> in functional configs).</summary>
        public string Name { get; }

        /// <summary>The class name, e.g. <c>Dense</c>.</summary>
        public string ClassName { get; }
    }

    /// <summary>
    /// Lists the top-level layers of a Keras model config (Keras 1 and 2.0 bare lists, Keras 2.2+ and tf.keras
    /// <c>{"name", "layers"}</c>, Keras 3's wrapped layers) in config order. Only what the weight layouts need: the full
    /// mapping of layers to a network belongs to the generator's Keras reader.
    /// </summary>
    internal static class KerasConfigLayers
    {
        /// <summary>Deepest JSON nesting accepted.</summary>
        public const int MaxDepth = 256;

        /// <summary>Longest config text accepted.</summary>
        public const int MaxLength = 64 << 20;

        /// <summary>The model's class name and layers; throws <see cref="FileFormatException"/> for JSON that is not a model config.</summary>
        public static KeyValuePair<string, List<KerasConfigLayer>> Read(string json)
        {
            if (json.Length > MaxLength) throw new FileFormatException($"the model config has {json.Length} characters, more than the limit of {MaxLength}");
            object? root = new MiniJson(json).ParseDocument();
            if (root is not List<KeyValuePair<string, object?>> model) throw new FileFormatException("the model config is not a JSON object");
            string className = Get(model, "class_name") as string ?? "";
            object? config = Get(model, "config");
            List<object?>? layers = config as List<object?>;
            if (layers is null && config is List<KeyValuePair<string, object?>> configObject) layers = Get(configObject, "layers") as List<object?>;
            var result = new List<KerasConfigLayer>();
            if (layers is null) return new KeyValuePair<string, List<KerasConfigLayer>>(className, result);
            foreach (object? item in layers)
            {
                if (item is not List<KeyValuePair<string, object?>> layer) throw new FileFormatException("a layer of the model config is not a JSON object");
                string layerClass = Get(layer, "class_name") as string ?? throw new FileFormatException("a layer of the model config has no class_name");
                string? name = Get(layer, "name") as string;
                if (name is null && Get(layer, "config") is List<KeyValuePair<string, object?>> layerConfig) name = Get(layerConfig, "name") as string;
                result.Add(new KerasConfigLayer(name ?? "", layerClass));
            }
            return new KeyValuePair<string, List<KerasConfigLayer>>(className, result);
        }

        private static object? Get(List<KeyValuePair<string, object?>> obj, string key)
        {
            foreach (KeyValuePair<string, object?> pair in obj)
            {
                if (pair.Key == key) return pair.Value;
            }
            return null;
        }

        /// <summary>
        /// A minimal JSON parser: objects become ordered key/value lists, arrays lists, strings strings, numbers doubles,
        /// true/false bools; Python's NaN and Infinity are accepted. Bounded by the text's length and <see cref="MaxDepth"/>.
        /// </summary>
        private struct MiniJson
        {
            private readonly string _text;
            private int _at;

            public MiniJson(string text)
            {
                _text = text;
                _at = 0;
            }

            public object? ParseDocument()
            {
                object? value = Value(0);
                Space();
                if (_at != _text.Length) throw Error("text after the JSON value");
                return value;
            }

            private FileFormatException Error(string what) => new($"the model config is not valid JSON: {what} at character {_at}");

            private void Space()
            {
                while (_at < _text.Length && (_text[_at] == ' ' || _text[_at] == '\n' || _text[_at] == '\r' || _text[_at] == '\t')) _at++;
            }

            private object? Value(int depth)
            {
                if (depth > MaxDepth) throw Error($"nesting deeper than {MaxDepth}");
                Space();
                if (_at >= _text.Length) throw Error("unexpected end");
                char c = _text[_at];
                switch (c)
                {
                    case '{':
                        {
                            _at++;
                            var obj = new List<KeyValuePair<string, object?>>();
                            Space();
                            if (_at < _text.Length && _text[_at] == '}')
                            {
                                _at++;
                                return obj;
                            }
                            while (true)
                            {
                                Space();
                                if (_at >= _text.Length || _text[_at] != '"') throw Error("expected a property name");
                                string key = String();
                                Space();
                                if (_at >= _text.Length || _text[_at] != ':') throw Error("expected ':'");
                                _at++;
                                obj.Add(new KeyValuePair<string, object?>(key, Value(depth + 1)));
                                Space();
                                if (_at < _text.Length && _text[_at] == ',')
                                {
                                    _at++;
                                    continue;
                                }
                                if (_at < _text.Length && _text[_at] == '}')
                                {
                                    _at++;
                                    return obj;
                                }
                                throw Error("expected ',' or '}'");
                            }
                        }
                    case '[':
                        {
                            _at++;
                            var list = new List<object?>();
                            Space();
                            if (_at < _text.Length && _text[_at] == ']')
                            {
                                _at++;
                                return list;
                            }
                            while (true)
                            {
                                list.Add(Value(depth + 1));
                                Space();
                                if (_at < _text.Length && _text[_at] == ',')
                                {
                                    _at++;
                                    continue;
                                }
                                if (_at < _text.Length && _text[_at] == ']')
                                {
                                    _at++;
                                    return list;
                                }
                                throw Error("expected ',' or ']'");
                            }
                        }
                    case '"':
                        return String();
                    default:
                        if (Word("true")) return true;
                        if (Word("false")) return false;
                        if (Word("null")) return null;
                        if (Word("NaN")) return double.NaN;
                        if (Word("Infinity")) return double.PositiveInfinity;
                        if (Word("-Infinity")) return double.NegativeInfinity;
                        return Number();
                }
            }

            private bool Word(string word)
            {
                if (string.CompareOrdinal(_text, _at, word, 0, word.Length) != 0) return false;
                _at += word.Length;
                return true;
            }

            private double Number()
            {
                int start = _at;
                while (_at < _text.Length && "+-0123456789.eE".IndexOf(_text[_at]) >= 0) _at++;
                if (_at == start || !double.TryParse(_text.Substring(start, _at - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                {
                    throw Error("expected a value");
                }
                return value;
            }

            private string String()
            {
                _at++; // opening quote
                var builder = new StringBuilder();
                while (true)
                {
                    if (_at >= _text.Length) throw Error("unterminated string");
                    char c = _text[_at++];
                    if (c == '"') return builder.ToString();
                    if (c != '\\')
                    {
                        builder.Append(c);
                        continue;
                    }
                    if (_at >= _text.Length) throw Error("unterminated escape");
                    char e = _text[_at++];
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
                            if (_at + 4 > _text.Length || !int.TryParse(_text.Substring(_at, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code)) throw Error("bad \\u escape");
                            builder.Append((char)code);
                            _at += 4;
                            break;
                        default:
                            throw Error($"bad escape '\\{e}'");
                    }
                }
            }
        }
    }
}
