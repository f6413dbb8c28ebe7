// The binary readers of src/ModelGen/Formats (zip, HDF5, Keras .keras/.h5, ONNX protobuf) as fuzz targets. Their contract
// (FormatResult.cs): an entry point returns a value or an error naming the problem, and throws nothing; inside a reader,
// FileFormatException abandons a malformed file and is caught at the entry point. The HDF5 target walks the object tree
// itself, so there FileFormatException (the documented way a walk reports a bad file) is an accepted outcome.
// Compiled into ModelGen.Fuzz and into ModelGen.Tests (the bounded mutation tests).
using System;
using System.Collections.Generic;
using ModelGen.Formats;
using ModelGen.Formats.Hdf5;
using ModelGen.Formats.Keras;
using ModelGen.Formats.Onnx;
using ModelGen.Formats.Zip;

namespace ModelGen.Fuzz
{
    /// <summary>The file-format readers as fuzz targets.</summary>
    public static class FormatFuzzTargets
    {
        /// <summary>Zip: the central directory, then every entry read (stored or deflated, CRC-checked).</summary>
        public static void Zip(byte[] data)
        {
            FormatResult<ZipReader> zip = ZipReader.Open(data);
            if (!Outcome(zip.Succeeded, zip.Error, "zip")) return;
            foreach (ZipEntry entry in zip.Value!.Entries)
            {
                FormatResult<byte[]> content = zip.Value.Read(entry);
                if (Outcome(content.Succeeded, content.Error, "zip entry")) Check(content.Value!.Length == entry.UncompressedSize, $"entry '{entry.Name}' read {content.Value.Length} bytes of {entry.UncompressedSize}");
            }
        }

        /// <summary>HDF5: the superblock and root, then a bounded walk of every group, attribute and dataset.</summary>
        public static void Hdf5(byte[] data)
        {
            FormatResult<Hdf5File> file = Hdf5File.Open(data);
            if (!Outcome(file.Succeeded, file.Error, "HDF5")) return;
            var pending = new Stack<(Hdf5Object Object, int Depth)>();
            pending.Push((file.Value!.Root, 0));
            int visited = 0;
            while (pending.Count > 0 && visited++ < 256)
            {
                (Hdf5Object obj, int depth) = pending.Pop();
                try
                {
                    _ = obj.Attributes.Count;
                    if (obj.IsDataset)
                    {
                        _ = obj.Datatype;
                        _ = obj.ReadRaw();
                    }
                    if (obj.IsGroup && depth < 16)
                    {
                        foreach (Hdf5Link link in obj.Links)
                        {
                            Hdf5Object? child = obj.Child(link.Name);
                            if (child is not null) pending.Push((child, depth + 1));
                        }
                    }
                }
                catch (FileFormatException e)
                {
                    Check(!string.IsNullOrWhiteSpace(e.Message), "a FileFormatException without a message");
                }
            }
        }

        /// <summary>Keras files: a .keras zip (config.json, model.weights.h5) or a legacy .h5, config and weights.</summary>
        public static void Keras(byte[] data)
        {
            FormatResult<KerasModelFile> file = KerasFileReader.Read(data);
            Outcome(file.Succeeded, file.Error, "Keras");
        }

        /// <summary>ONNX: the protobuf wire format, the ONNX messages, and the mapping of the graph to a dense chain.</summary>
        public static void Onnx(byte[] data)
        {
            FormatResult<ImportedNetwork> network = OnnxReader.Read(data);
            if (!Outcome(network.Succeeded, network.Error, "ONNX")) return;
            Check(network.Value!.InputSize > 0 && network.Value.Layers.Count > 0, "an imported network without inputs or layers");
        }

        /// <summary>True on success; on failure the error must name something.</summary>
        private static bool Outcome(bool succeeded, string? error, string what)
        {
            if (succeeded) return true;
            Check(!string.IsNullOrWhiteSpace(error), $"a failed {what} read without an error message");
            return false;
        }

        private static void Check(bool condition, string rule)
        {
            if (!condition) throw new InvalidOperationException("Fuzz contract broken: " + rule);
        }
    }
}
