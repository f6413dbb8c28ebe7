// This file is compiled into both the runtime and the generator (linked, like everything under Formats/): the shared
// file readers return a result or an error; the generator turns an error into a located diagnostic, the runtime into
// an InvalidDataException. Nothing in Formats/ may throw anything else for bad input.
using System;

namespace ModelGen.Formats
{
    /// <summary>The outcome of reading a file: a value, or an error message naming what is wrong and where.</summary>
    /// <typeparam name="T">What the reader produces.</typeparam>
    internal readonly struct FormatResult<T>
        where T : class
    {
        private FormatResult(T? value, string? error)
        {
            Value = value;
            Error = error;
        }

        /// <summary>The value read; null when <see cref="Error"/> is set.</summary>
        public T? Value { get; }

        /// <summary>What is wrong with the file, as a sentence for a diagnostic or an exception; null on success.</summary>
        public string? Error { get; }

        /// <summary>True when the file was read.</summary>
        public bool Succeeded => Error is null;

        /// <summary>A successful read.</summary>
        public static FormatResult<T> Ok(T value) => new(value ?? throw new ArgumentNullException(nameof(value)), null);

        /// <summary>A failed read.</summary>
        public static FormatResult<T> Fail(string error) => new(null, error);

        /// <summary>The value, or an <see cref="System.IO.InvalidDataException"/> carrying the error (the runtime's side).</summary>
        public T GetValueOrThrow(string what) =>
            Value ?? throw new System.IO.InvalidDataException(what + ": " + Error);
    }

    /// <summary>
    /// Thrown inside a reader to abandon a malformed file from deep in a parse; the reader's public entry point catches it
    /// and returns <see cref="FormatResult{T}.Fail"/>. It never leaves <c>Formats/</c>.
    /// </summary>
    internal sealed class FileFormatException : Exception
    {
        /// <summary>Creates the exception with a message naming the problem and where it is.</summary>
        public FileFormatException(string message)
            : base(message)
        {
        }
    }
}
