// Deterministic mutations of a seed corpus for the bounded fuzz tests CI runs (the coverage-guided runs are fuzz.sh's).
// Every case is a pure function of (seeds, kind, case number): a failure names its case and can be replayed.
using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace ModelGen.Fuzz
{
    /// <summary>What a corpus holds, which picks the structured mutations on top of the generic byte-level ones.</summary>
    public enum CorpusKind
    {
        /// <summary>JSON text: deep nesting, huge and negative numbers, wrong types, duplicate keys, BOMs, long strings, bad escapes.</summary>
        Json,
        /// <summary>safetensors: header lengths past the end, out-of-range and overlapping offsets, overflowing shapes, wrong dtypes.</summary>
        Safetensors,
        /// <summary>MGW1: counts and versions past the data, checksum damage, non-finite values.</summary>
        Mgw,
        /// <summary>Raw float32: lengths that are not whole values, non-finite values.</summary>
        Raw,
    }

    /// <summary>Seeded mutations of a corpus.</summary>
    public static class Mutations
    {
        /// <summary>The files of <c>corpus/<paramref name="target"/></c> beside this source file (and <c>regressions/<paramref name="target"/></c>, when present).</summary>
        public static byte[][] Corpus(string fuzzDirectory, string target)
        {
            return Files(Path.Combine(fuzzDirectory, "corpus", target)).Select(File.ReadAllBytes).ToArray();
        }

        /// <summary>Every committed crashing input of <paramref name="target"/> (may be none).</summary>
        public static IEnumerable<string> Regressions(string fuzzDirectory, string target) => Files(Path.Combine(fuzzDirectory, "regressions", target));

        private static IEnumerable<string> Files(string directory) =>
            Directory.Exists(directory) ? Directory.GetFiles(directory).OrderBy(f => f, StringComparer.Ordinal) : Enumerable.Empty<string>();

        /// <summary>Case <paramref name="index"/> of the mutations of <paramref name="seeds"/>: one or more mutations, chosen by a generator seeded with the index.</summary>
        public static byte[] Case(byte[][] seeds, CorpusKind kind, int index)
        {
            var random = new Random(unchecked(index * 7919 + (int)kind * 104729));
            byte[] data = seeds[random.Next(seeds.Length)];
            int rounds = 1 + (random.Next(4) == 0 ? random.Next(3) : 0);
            for (int r = 0; r < rounds; r++)
            {
                data = random.Next(3) == 0 ? Generic(data, seeds, random) : kind switch
                {
                    CorpusKind.Json => Json(data, random),
                    CorpusKind.Safetensors => Safetensors(data, random),
                    CorpusKind.Mgw => Mgw(data, random),
                    _ => Raw(data, random),
                };
            }
            return data;
        }

        /// <summary>Byte-level mutations: truncation, flips, insertion, deletion, duplication, splicing with another seed.</summary>
        private static byte[] Generic(byte[] data, byte[][] seeds, Random random)
        {
            var list = new List<byte>(data);
            int At(int extra = 0) => random.Next(list.Count + extra);
            switch (random.Next(8))
            {
                case 0: // truncation
                    return data.AsSpan(0, random.Next(data.Length + 1)).ToArray();
                case 1: // bit flips
                    for (int i = 0, n = 1 + random.Next(8); i < n && list.Count > 0; i++) list[At()] ^= (byte)(1 << random.Next(8));
                    break;
                case 2: // interesting bytes
                    byte[] interesting = { 0, 0xFF, 0x7F, 0x80, (byte)'"', (byte)'\\', (byte)'{', (byte)'[', (byte)']', (byte)'}', (byte)',', (byte)':', (byte)'-', (byte)'e', 0xC0, 0xED };
                    for (int i = 0, n = 1 + random.Next(4); i < n && list.Count > 0; i++) list[At()] = interesting[random.Next(interesting.Length)];
                    break;
                case 3: // random insertion
                    {
                        var bytes = new byte[1 + random.Next(16)];
                        random.NextBytes(bytes);
                        list.InsertRange(At(1), bytes);
                    }
                    break;
                case 4: // deletion of a run
                    if (list.Count > 0)
                    {
                        int start = At();
                        list.RemoveRange(start, Math.Min(list.Count - start, 1 + random.Next(64)));
                    }
                    break;
                case 5: // duplication of a run
                    if (list.Count > 0)
                    {
                        int start = At();
                        int length = Math.Min(list.Count - start, 1 + random.Next(256));
                        list.InsertRange(At(1), list.GetRange(start, length));
                    }
                    break;
                case 6: // splice: the head of this seed, the tail of another
                    {
                        byte[] other = seeds[random.Next(seeds.Length)];
                        int cut = random.Next(data.Length + 1);
                        return data.AsSpan(0, cut).ToArray().Concat(other.AsSpan(random.Next(other.Length + 1)).ToArray()).ToArray();
                    }
                default: // empty, or a single byte
                    return random.Next(2) == 0 ? Array.Empty<byte>() : new[] { (byte)random.Next(256) };
            }
            return list.ToArray();
        }

        private static readonly string[] s_numbers =
        {
            "0", "-0", "-1", "-2147483648", "-2147483649", "2147483647", "2147483648", "4294967296", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e309", "-1e309", "1e-400", "1.5", "-0.5",
            "1e6", "1000000", "1000000000", "NaN", "Infinity", "-Infinity", "1E+2", "0x10", "01", "1.", ".5", "-", "1e", "99999999999999999999999999999999",
        };

        private static readonly string[] s_values =
        {
            "null", "true", "false", "\"\"", "\"relu\"", "\"Dense\"", "[]", "{}", "[null]", "{\"a\":1}", "[1,2]", "[-1,3]", "\"4\"", "[[[]]]", "\"\\u0000\"",
            "\"\\ud800\"", "\"\\uDC00\\uD800\"", "\"\\x\"", "\"\\u12\"",
        };

        /// <summary>JSON-aware mutations on the text.</summary>
        private static byte[] Json(byte[] data, Random random)
        {
            string text = Encoding.UTF8.GetString(data);
            switch (random.Next(12))
            {
                case 0: // deep nesting in place of a value
                    {
                        int depth = random.Next(8) == 0 ? 100_000 : 200 + random.Next(120);
                        string open = random.Next(2) == 0 ? "[" : "{\"a\":";
                        string close = open == "[" ? "]" : "}";
                        string nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + (random.Next(3) == 0 ? "" : string.Concat(Enumerable.Repeat(close, depth)));
                        return Encoding.UTF8.GetBytes(ReplaceValue(text, random, nested));
                    }
                case 1: // a number, huge, negative or malformed
                    return Encoding.UTF8.GetBytes(ReplaceNumber(text, random, s_numbers[random.Next(s_numbers.Length)]));
                case 2: // a value of the wrong type
                    return Encoding.UTF8.GetBytes(ReplaceValue(text, random, s_values[random.Next(s_values.Length)]));
                case 3: // a duplicate key: repeat one "name": value pair with another value
                    {
                        int colon = NthIndex(text, ':', random);
                        if (colon < 0) return data;
                        int quoteEnd = text.LastIndexOf('"', colon);
                        int quoteStart = quoteEnd > 0 ? text.LastIndexOf('"', quoteEnd - 1) : -1;
                        if (quoteStart < 0) return data;
                        string key = text.Substring(quoteStart, quoteEnd - quoteStart + 1);
                        string duplicate = key + ":" + (random.Next(2) == 0 ? s_values[random.Next(s_values.Length)] : s_numbers[random.Next(s_numbers.Length)]) + ",";
                        return Encoding.UTF8.GetBytes(text.Insert(quoteStart, duplicate));
                    }
                case 4: // byte order marks, at the start or inside
                    {
                        byte[] bom = random.Next(3) switch { 0 => new byte[] { 0xEF, 0xBB, 0xBF }, 1 => new byte[] { 0xFE, 0xFF }, _ => new byte[] { 0xFF, 0xFE } };
                        int at = random.Next(2) == 0 ? 0 : random.Next(data.Length + 1);
                        return data.AsSpan(0, at).ToArray().Concat(bom).Concat(data.AsSpan(at).ToArray()).ToArray();
                    }
                case 5: // a long string (name or value)
                    {
                        string filler = new string((char)('a' + random.Next(26)), random.Next(2) == 0 ? 70_000 : 1_000);
                        return Encoding.UTF8.GetBytes(ReplaceString(text, random, filler));
                    }
                case 6: // a big array in place of a value
                    {
                        int count = random.Next(4) == 0 ? 20_000 : 1_100;
                        string item = random.Next(2) == 0 ? "1" : "{\"class_name\":\"Dense\",\"config\":{\"units\":1000000}}";
                        return Encoding.UTF8.GetBytes(ReplaceValue(text, random, "[" + string.Join(",", Enumerable.Repeat(item, count)) + "]"));
                    }
                case 7: // control characters, lone surrogates and bad UTF-8 inside strings
                    {
                        string[] odd = { "\u0001", "\t", "\n", "\\", "\\u", "\ud800", "\udfff", "\uffff", "\u2028", "\0" };
                        return Encoding.UTF8.GetBytes(ReplaceString(text, random, "x" + odd[random.Next(odd.Length)] + "y"));
                    }
                case 8: // a structural character removed or doubled
                    {
                        int at = IndexOfAny(text, "{}[],:\"", random);
                        if (at < 0) return data;
                        return Encoding.UTF8.GetBytes(random.Next(2) == 0 ? text.Remove(at, 1) : text.Insert(at, text[at].ToString()));
                    }
                case 9: // the layer sizes: units and shapes made huge, zero or negative
                    {
                        string[] keys = { "\"units\"", "\"inputs\"", "\"dense\"", "\"batch_input_shape\"", "\"input_shape\"", "\"batch_shape\"", "\"shape\"", "\"rate\"", "\"alpha\"" };
                        string key = keys[random.Next(keys.Length)];
                        int at = text.IndexOf(key, StringComparison.Ordinal);
                        if (at < 0) return Encoding.UTF8.GetBytes(ReplaceNumber(text, random, "1000000"));
                        string[] sizes = { "1000000", "1000000000", "0", "-1", "2147483648", "[null,1000000]", "[null,-5]", "[null,0]", "[1000000,1000000]", "null", "0.5", "1e400" };
                        return Encoding.UTF8.GetBytes(ReplaceValueAt(text, at + key.Length, sizes[random.Next(sizes.Length)]));
                    }
                case 10: // a whole value deleted (leaving "key": ,)
                    return Encoding.UTF8.GetBytes(ReplaceValue(text, random, ""));
                default: // trailing garbage or a second document
                    {
                        string[] tails = { "x", "}", "]", ",", " {}", "\0", "/* c */", "\u00a0" };
                        return Encoding.UTF8.GetBytes(text + tails[random.Next(tails.Length)]);
                    }
            }
        }

        private static int NthIndex(string text, char c, Random random)
        {
            int count = text.Count(x => x == c);
            if (count == 0) return -1;
            int n = random.Next(count), at = -1;
            for (int i = 0; i <= n; i++) at = text.IndexOf(c, at + 1);
            return at;
        }

        private static int IndexOfAny(string text, string chars, Random random)
        {
            var positions = new List<int>();
            for (int i = 0; i < text.Length; i++)
            {
                if (chars.IndexOf(text[i]) >= 0) positions.Add(i);
            }
            return positions.Count == 0 ? -1 : positions[random.Next(positions.Count)];
        }

        /// <summary>Replaces the value after a random ':' (or a random array item start) with <paramref name="replacement"/>.</summary>
        private static string ReplaceValue(string text, Random random, string replacement)
        {
            int at = random.Next(2) == 0 ? NthIndex(text, ':', random) : NthIndex(text, '[', random);
            if (at < 0) return replacement;
            return ReplaceValueAt(text, at + 1, replacement);
        }

        /// <summary>Replaces the JSON value starting at or after <paramref name="start"/> (skipping ':' and blanks).</summary>
        private static string ReplaceValueAt(string text, int start, string replacement)
        {
            int i = start;
            while (i < text.Length && (text[i] == ':' || char.IsWhiteSpace(text[i]))) i++;
            int end = SkipValue(text, i);
            return text.Substring(0, i) + replacement + text.Substring(end);
        }

        /// <summary>The end of the value at <paramref name="i"/> (by bracket counting; good enough for mutations).</summary>
        private static int SkipValue(string text, int i)
        {
            if (i >= text.Length) return i;
            char c = text[i];
            if (c == '"')
            {
                int j = i + 1;
                while (j < text.Length && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
                return Math.Min(text.Length, j + 1);
            }
            if (c == '[' || c == '{')
            {
                int depth = 0;
                bool inString = false;
                for (int j = i; j < text.Length; j++)
                {
                    char d = text[j];
                    if (inString)
                    {
                        if (d == '\\') j++;
                        else if (d == '"') inString = false;
                    }
                    else if (d == '"') inString = true;
                    else if (d == '[' || d == '{') depth++;
                    else if ((d == ']' || d == '}') && --depth == 0) return j + 1;
                }
                return text.Length;
            }
            int k = i;
            while (k < text.Length && ",]} \n\r\t".IndexOf(text[k]) < 0) k++;
            return k;
        }

        private static string ReplaceNumber(string text, Random random, string replacement)
        {
            var starts = new List<int>();
            for (int i = 0; i < text.Length; i++)
            {
                if ((char.IsDigit(text[i]) || text[i] == '-') && (i == 0 || "[:, \n".IndexOf(text[i - 1]) >= 0)) starts.Add(i);
            }
            if (starts.Count == 0) return text;
            int at = starts[random.Next(starts.Count)];
            int end = at;
            while (end < text.Length && "0123456789+-.eE".IndexOf(text[end]) >= 0) end++;
            return text.Substring(0, at) + replacement + text.Substring(end);
        }

        private static string ReplaceString(string text, Random random, string content)
        {
            int quote = NthIndex(text, '"', random);
            if (quote < 0) return "\"" + content + "\"";
            int end = text.IndexOf('"', quote + 1);
            if (end < 0) return text + content;
            return text.Substring(0, quote + 1) + content + text.Substring(end);
        }

        /// <summary>safetensors: the 8-byte header length, the header's offsets, shapes and dtypes, and the data length.</summary>
        private static byte[] Safetensors(byte[] data, Random random)
        {
            if (data.Length < 8) return data;
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(data);
            bool headerFits = length <= (ulong)(data.Length - 8);
            string header = headerFits ? Encoding.UTF8.GetString(data, 8, (int)length) : "";
            byte[] rest = headerFits ? data.AsSpan(8 + (int)length).ToArray() : Array.Empty<byte>();
            switch (random.Next(9))
            {
                case 0: // header length past the end, at the end, zero, or huge
                    {
                        ulong[] lengths = { (ulong)data.Length, (ulong)data.Length - 7, (ulong)data.Length - 8, 0, 1, 2, ulong.MaxValue, long.MaxValue, (ulong)int.MaxValue + 1, uint.MaxValue, length + 1, length - 1 };
                        byte[] copy = (byte[])data.Clone();
                        BinaryPrimitives.WriteUInt64LittleEndian(copy, lengths[random.Next(lengths.Length)]);
                        return copy;
                    }
                case 1: // data offsets out of range, reversed, overlapping
                    {
                        string[] offsets = { "[0,0]", "[0,4]", "[-4,0]", "[0,-4]", "[64,0]", "[0,9223372036854775807]", "[9223372036854775804,9223372036854775807]", "[0,18446744073709551616]", "[0,1e3]", "[0]", "[0,4,8]", "[\"0\",\"4\"]", "[0,256]", "[4,260]", "[256,320]" };
                        return Rebuild(ReplaceAfterKey(header, "\"data_offsets\"", offsets[random.Next(offsets.Length)], random), rest);
                    }
                case 2: // shapes whose product overflows, negative, fractional, empty
                    {
                        string[] shapes = { "[65536,65536]", "[2147483647,2147483647]", "[4294967296]", "[9223372036854775807,2]", "[-1,16]", "[0,16]", "[]", "[1.5]", "[\"4\"]", "[null]", "[4,16,1]", "[1048576,1048576,1048576,1048576]", "[16,4]", "[64]" };
                        return Rebuild(ReplaceAfterKey(header, "\"shape\"", shapes[random.Next(shapes.Length)], random), rest);
                    }
                case 3: // wrong dtypes
                    {
                        string[] dtypes = { "\"F16\"", "\"F64\"", "\"BF16\"", "\"I64\"", "\"f32\"", "\"F32 \"", "\"\"", "32", "null", "[\"F32\"]" };
                        return Rebuild(ReplaceAfterKey(header, "\"dtype\"", dtypes[random.Next(dtypes.Length)], random), rest);
                    }
                case 4: // the data cut short or grown
                    return random.Next(2) == 0 ? data.AsSpan(0, data.Length - Math.Min(data.Length - 8, 1 + random.Next(8))).ToArray() : data.Concat(new byte[1 + random.Next(8)]).ToArray();
                case 5: // a header that is not an object of tensors
                    {
                        string[] headers = { "[]", "{}", "null", "{\"__metadata__\":{}}", "{\"a\":1}", "{\"a\":{}}", "{\"a\":{\"dtype\":\"F32\"}}", "\"x\"", "{", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}" };
                        return Rebuild(headers[random.Next(headers.Length)], rest);
                    }
                case 6: // non-finite values in the data
                    {
                        byte[] copy = (byte[])data.Clone();
                        if (rest.Length >= 4)
                        {
                            int at = data.Length - rest.Length + 4 * random.Next(rest.Length / 4);
                            float[] bad = { float.NaN, float.PositiveInfinity, float.NegativeInfinity };
                            BinaryPrimitives.WriteSingleLittleEndian(copy.AsSpan(at), bad[random.Next(bad.Length)]);
                        }
                        return copy;
                    }
                case 7: // a duplicate tensor name, or a tensor entry removed
                    {
                        int comma = header.IndexOf("}, ", StringComparison.Ordinal);
                        if (header.Length < 2 || comma < 1) return data;
                        string entry = header.Substring(1, comma);
                        return Rebuild(random.Next(2) == 0 ? "{" + entry + ", " + header.Substring(1) : "{" + header.Substring(comma + 3), rest);
                    }
                default: // the header's JSON mutated like any JSON
                    return Rebuild(Encoding.UTF8.GetString(Json(Encoding.UTF8.GetBytes(header), random)), rest);
            }
        }

        private static string ReplaceAfterKey(string text, string key, string replacement, Random random)
        {
            var positions = new List<int>();
            for (int at = text.IndexOf(key, StringComparison.Ordinal); at >= 0; at = text.IndexOf(key, at + 1, StringComparison.Ordinal)) positions.Add(at);
            if (positions.Count == 0) return text;
            return ReplaceValueAt(text, positions[random.Next(positions.Count)] + key.Length, replacement);
        }

        private static byte[] Rebuild(string header, byte[] rest)
        {
            byte[] json = Encoding.UTF8.GetBytes(header);
            var file = new byte[8 + json.Length + rest.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
            json.CopyTo(file, 8);
            rest.CopyTo(file, 8 + json.Length);
            return file;
        }

        /// <summary>MGW1: the version, count, sizes and checksum fields, the data length, non-finite values.</summary>
        private static byte[] Mgw(byte[] data, Random random)
        {
            if (data.Length < 24) return data;
            byte[] copy = (byte[])data.Clone();
            uint[] interesting = { 0, 1, 2, 211, 212, 210, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x40000000, 0x3FFFFFFF, 0x10000000 };
            switch (random.Next(5))
            {
                case 0: // a header field set to an interesting value
                    BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(4 * (1 + random.Next(5))), interesting[random.Next(interesting.Length)]);
                    return copy;
                case 1: // the data cut short or grown (the count unchanged)
                    return random.Next(2) == 0 ? data.AsSpan(0, 24 + random.Next(data.Length - 24)).ToArray() : data.Concat(new byte[1 + random.Next(8)]).ToArray();
                case 2: // a value made non-finite, the checksum fixed so only the value check can catch it
                    {
                        if (data.Length < 28) return copy;
                        float[] bad = { float.NaN, float.PositiveInfinity, float.NegativeInfinity };
                        BinaryPrimitives.WriteSingleLittleEndian(copy.AsSpan(24 + 4 * random.Next((data.Length - 24) / 4)), bad[random.Next(bad.Length)]);
                        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(20), Crc32(copy.AsSpan(24)));
                        return copy;
                    }
                case 3: // a data byte changed, the checksum left (a damaged file)
                    if (data.Length == 24) return copy;
                    copy[24 + random.Next(data.Length - 24)] ^= (byte)(1 + random.Next(255));
                    return copy;
                default: // the count and the data length changed together, the checksum fixed
                    {
                        int count = random.Next(2) == 0 ? random.Next(300) : (int)interesting[random.Next(interesting.Length)] & 0xFFFF;
                        var file = new byte[24 + 4 * count];
                        data.AsSpan(0, 24).CopyTo(file);
                        data.AsSpan(24, Math.Min(data.Length - 24, 4 * count)).CopyTo(file.AsSpan(24));
                        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), (uint)count);
                        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(20), Crc32(file.AsSpan(24)));
                        return file;
                    }
            }
        }

        /// <summary>Raw float32: lengths that are not whole values or not the model's, non-finite values, shard boundaries.</summary>
        private static byte[] Raw(byte[] data, Random random)
        {
            byte[] copy = (byte[])data.Clone();
            switch (random.Next(4))
            {
                case 0:
                    return data.AsSpan(0, Math.Max(0, data.Length - 1 - random.Next(4))).ToArray();
                case 1:
                    return data.Concat(new byte[1 + random.Next(8)]).ToArray();
                case 2:
                    if (copy.Length >= 4)
                    {
                        float[] bad = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue };
                        BinaryPrimitives.WriteSingleLittleEndian(copy.AsSpan(4 * random.Next(copy.Length / 4)), bad[random.Next(bad.Length)]);
                    }
                    return copy;
                default: // the first two bytes pick the shard cuts in the raw target
                    if (copy.Length >= 2)
                    {
                        copy[0] = (byte)random.Next(256);
                        copy[1] = (byte)random.Next(256);
                    }
                    return copy;
            }
        }

        private static uint Crc32(ReadOnlySpan<byte> data)
        {
            uint crc = 0xFFFFFFFFu;
            foreach (byte b in data)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
            return ~crc;
        }
    }
}
