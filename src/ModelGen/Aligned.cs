using System;
using System.Buffers.Binary;
using System.ComponentModel;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen
{
    /// <summary>
    /// 64-byte aligned float buffers for the generated code. A Vector512 load from an address that is not a multiple of 64
    /// touches two cache lines; with every weight row misaligned that costs up to half the speed of a large layer, and which
    /// way it falls changes from process to process with wherever the GC placed the array.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Aligned
    {
        /// <summary>The alignment, in bytes (one cache line, one Vector512).</summary>
        public const int Bytes = 64;

        /// <summary>Extra floats a buffer needs so that an aligned run of the wanted length fits in it.</summary>
        public const int Slack = Bytes / sizeof(float) - 1;

        /// <summary>
        /// Allocates a zeroed array on the pinned object heap (it never moves, so its alignment never changes) with room for
        /// a 64-byte aligned run of <paramref name="length"/> floats, which begins at index <paramref name="start"/>.
        /// </summary>
        public static float[] Allocate(int length, out int start)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            float[] array = GC.AllocateArray<float>(length + Slack, pinned: true);
            start = Start(ref MemoryMarshal.GetArrayDataReference(array));
            return array;
        }

        /// <summary>
        /// A pinned array holding <paramref name="values"/> from its first 64-byte boundary on: read it back with
        /// <see cref="Slice"/>. Generated <c>Predict</c> methods of larger models copy their embedded weights here once, since
        /// constant data in an assembly is only aligned to its element size.
        /// </summary>
        public static float[] Copy(ReadOnlySpan<float> values)
        {
            float[] array = Allocate(values.Length, out int start);
            values.CopyTo(array.AsSpan(start));
            return array;
        }

        /// <summary>
        /// A pinned array holding, from its first 64-byte boundary on, the <paramref name="length"/> little-endian float32
        /// values that <paramref name="base64"/> encodes (line breaks and spaces are skipped): read it back with
        /// <see cref="Slice"/>. Generated models with more than 1,024 embedded weights store them this way: the compiler reads
        /// one string literal about fifty times faster than a hundred thousand float literals.
        /// </summary>
        /// <exception cref="InvalidDataException">The text is not base64 of exactly <paramref name="length"/> floats.</exception>
        public static float[] FromBase64(ReadOnlySpan<char> base64, int length)
        {
            float[] array = Allocate(length, out int start);
            Span<byte> bytes = MemoryMarshal.AsBytes(array.AsSpan(start, length));
            if (!Convert.TryFromBase64Chars(base64, bytes, out int written) || written != bytes.Length)
            {
                throw new InvalidDataException($"The embedded weights are not base64 text of {length} floats.");
            }
            if (!BitConverter.IsLittleEndian)
            {
                Span<int> bits = MemoryMarshal.Cast<byte, int>(bytes);
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
            return array;
        }

        /// <summary>
        /// The 64-byte aligned run of <paramref name="length"/> floats in <paramref name="buffer"/>, which must not move
        /// (stack memory or an array from <see cref="Allocate(int, out int)"/>) and must hold at least <c>length + Slack</c> floats.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Span<float> Slice(Span<float> buffer, int length) => buffer.Slice(Start(ref MemoryMarshal.GetReference(buffer)), length);

        /// <summary>
        /// The aligned run of <paramref name="length"/> floats of an array from <see cref="Allocate(int, out int)"/>, given the
        /// start it returned: what a generated model's <c>Parameters</c> returns on every call, so nothing is recomputed.
        /// </summary>
        /// <exception cref="ArgumentException">The run does not fit in the array.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Span<float> Run(float[] array, int start, int length)
        {
            if ((uint)start > (uint)array.Length || (uint)length > (uint)(array.Length - start)) ThrowTooShort();
            return MemoryMarshal.CreateSpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), start), length);
        }

        private static void ThrowTooShort() => throw new ArgumentException("The array is too short for an aligned run of that length; allocate it with Aligned.Allocate.");

        // Index of the first element on a 64-byte boundary (floats are at least 4-byte aligned, so it exists within Slack).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Start(ref float first)
        {
            nint address = Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref first);
            return (int)((Bytes - (address & (Bytes - 1))) & (Bytes - 1)) / sizeof(float);
        }
    }
}
