using System;
using System.ComponentModel;

namespace ModelGen
{
    /// <summary>Argument checks shared by the generated models, with messages that name the expected lengths.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Shapes
    {
        /// <summary>
        /// Returns the number of samples n in <paramref name="inputLength"/> floats, after checking that it is a positive
        /// multiple of <paramref name="inputSize"/> and that <paramref name="outputLength"/> is n times <paramref name="outputSize"/>.
        /// </summary>
        public static int BatchSize(int inputLength, int inputSize, int outputLength, int outputSize, string inputName = "input", string outputName = "output")
        {
            int n = Samples(inputLength, inputSize, inputName);
            if (outputLength != (long)n * outputSize)
            {
                throw new ArgumentException(
                    $"{outputName} has {outputLength} floats; expected {(long)n * outputSize} (n * OutputSize = {n} * {outputSize} for the {n} sample(s) in {inputName}).",
                    outputName);
            }
            return n;
        }

        /// <summary>The number of samples in <paramref name="inputLength"/> floats of <paramref name="inputSize"/> each.</summary>
        public static int Samples(int inputLength, int inputSize, string inputName = "input")
        {
            if (inputLength == 0 || inputLength % inputSize != 0)
            {
                throw new ArgumentException(
                    $"{inputName} has {inputLength} floats; it must hold n >= 1 samples of InputSize = {inputSize} floats, a positive multiple of {inputSize}.",
                    inputName);
            }
            return inputLength / inputSize;
        }

        /// <summary>Throws unless <paramref name="length"/> equals <paramref name="expected"/>.</summary>
        public static void Expect(int length, long expected, string name, string what)
        {
            if (length != expected)
            {
                throw new ArgumentException($"{name} has {length} floats; expected {expected} ({what}).", name);
            }
        }

        /// <summary>Throws unless <paramref name="length"/> is 0 (not wanted) or <paramref name="expected"/>.</summary>
        public static void ExpectOptional(int length, long expected, string name, string what)
        {
            if (length != 0 && length != expected)
            {
                throw new ArgumentException($"{name} has {length} floats; expected 0 (not wanted) or {expected} ({what}).", name);
            }
        }
    }
}
