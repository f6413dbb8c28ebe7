// Reads the files Keras saves: `.keras` zips (Keras 3, tf.keras 2.13+), full-model `.h5` and weights-only `.h5` /
// `.weights.h5` from Keras 1.2 to 3. Compiled into runtime and generator (see FormatResult.cs).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using ModelGen.Formats.Hdf5;
using ModelGen.Formats.Json;
using ModelGen.Formats.Zip;

namespace ModelGen.Formats.Keras
{
    /// <summary>One weight tensor of a layer: its name in the file, its shape and its float32 values (row-major).</summary>
    internal sealed class KerasTensor
    {
        public KerasTensor(string name, int[] shape, float[] values)
        {
            Name = name;
            Shape = shape;
            Values = values;
        }

        /// <summary>The name the file gives it (<c>dense_1/kernel:0</c>, or the index <c>0</c> in the Keras 3 layout).</summary>
        public string Name { get; }

        /// <summary>The shape, slowest dimension first (a Dense kernel is <c>[inputs, units]</c>).</summary>
        public int[] Shape { get; }

        /// <summary>The values in row-major order.</summary>
        public float[] Values { get; }
    }

    /// <summary>The weights of one layer, in the order Keras keeps them (trainable first: kernel, bias).</summary>
    internal sealed class KerasLayerWeights
    {
        public KerasLayerWeights(string name, string? className, IReadOnlyList<KerasTensor> weights)
        {
            Name = name;
            ClassName = className;
            Weights = weights;
        }

        /// <summary>The layer's name (from <c>layer_names</c>, or from the config for the Keras 3 layout).</summary>
        public string Name { get; }

        /// <summary>The class name when the file's layout tells it (the Keras 3 layout); null for legacy <c>.h5</c>.</summary>
        public string? ClassName { get; }

        /// <summary>The weight tensors (empty for layers without weights).</summary>
        public IReadOnlyList<KerasTensor> Weights { get; }
    }

    /// <summary>What a Keras file holds: where it came from, its model config (if any), the writer, and its layers' weights.</summary>
    internal sealed class KerasModelFile
    {
        public KerasModelFile(string format, string? configJson, string? kerasVersion, string? backend, IReadOnlyList<KerasLayerWeights> layers)
        {
            Format = format;
            ConfigJson = configJson;
            KerasVersion = kerasVersion;
            Backend = backend;
            Layers = layers;
        }

        /// <summary><see cref="KerasFileReader.ZipFormat"/>, <see cref="KerasFileReader.FullH5Format"/> or <see cref="KerasFileReader.WeightsH5Format"/>.</summary>
        public string Format { get; }

        /// <summary>The model config JSON (<c>config.json</c> of a zip, <c>model_config</c> of a full <c>.h5</c>); null for weights-only files.</summary>
        public string? ConfigJson { get; }

        /// <summary>The <c>keras_version</c> the file records, if any.</summary>
        public string? KerasVersion { get; }

        /// <summary>The <c>backend</c> the file records, if any (Keras 1 files have none).</summary>
        public string? Backend { get; }

        /// <summary>Each layer with its weights, in the file's layer order.</summary>
        public IReadOnlyList<KerasLayerWeights> Layers { get; }

        /// <summary>
        /// True for a Keras 3 weights file read without its architecture: <see cref="Layers"/> are its groups (<c>dense</c>,
        /// <c>dense_1</c>, ...), in layer order within each class, but in no known order across classes.
        /// </summary>
        public bool UnorderedClassLayout { get; init; }

        /// <summary>The layer called <paramref name="name"/>, or null.</summary>
        public KerasLayerWeights? Find(string name)
        {
            foreach (KerasLayerWeights layer in Layers)
            {
                if (string.Equals(layer.Name, name, StringComparison.Ordinal)) return layer;
            }
            return null;
        }
    }

    /// <summary>
    /// Reads a Keras file, recognized by content: a zip is a <c>.keras</c> archive, an HDF5 file is a legacy <c>.h5</c>
    /// (full model when it has <c>model_config</c>, weights-only otherwise, in the legacy or the Keras 3 layout).
    /// </summary>
    /// <remarks>
    /// Layouts, from the writers' saving code:
    /// <list type="bullet">
    /// <item>Legacy <c>.h5</c> (Keras 1 <c>save_weights_to_hdf5_group</c>, Keras 2 / tf.keras <c>hdf5_format.py</c>, Keras 3
    /// <c>legacy_h5_format.py</c>): the layer groups sit under <c>model_weights</c> (full model) or the root (weights only);
    /// the attribute <c>layer_names</c> orders them and each group's <c>weight_names</c> gives its datasets' paths relative to
    /// the group. Either attribute may be split into <c>layer_names0</c>, <c>layer_names1</c>, ... when too large for an
    /// object header; an empty list is stored as an empty float64 array.</item>
    /// <item>Keras 3 (<c>saving_lib.py</c>, H5IOStore): <c>layers/{class}/vars/{i}</c>, where <c>{class}</c> is the layer's
    /// class in snake case, deduplicated in layer order (<c>dense</c>, <c>dense_1</c>, ...), whatever the layers are called.
    /// tf.keras 2.13+ writes the same under <c>_layer_checkpoint_dependencies/</c>, where the counter also advances for the
    /// second visit of each layer with weights (<c>dense</c>, <c>dense_2</c>, ...): both are read by taking a class's groups in
    /// the order of their numeric suffixes.</item>
    /// </list>
    /// </remarks>
    internal static class KerasFileReader
    {
        /// <summary>A <c>.keras</c> zip.</summary>
        public const string ZipFormat = "Keras zip (.keras)";

        /// <summary>A full-model <c>.h5</c>.</summary>
        public const string FullH5Format = "Keras full-model HDF5 (.h5)";

        /// <summary>A weights-only <c>.h5</c> / <c>.weights.h5</c>.</summary>
        public const string WeightsH5Format = "Keras weights HDF5 (.weights.h5)";

        /// <summary>Most chunks an attribute split by Keras (<c>layer_names0</c>, ...) may have.</summary>
        public const int MaxAttributeChunks = 4096;

        /// <summary>Most weight tensors of one layer.</summary>
        public const int MaxWeightsPerLayer = 4096;

        /// <summary>Largest text entry (config.json, metadata.json) of a <c>.keras</c> zip.</summary>
        public const long MaxTextEntryBytes = 64 << 20;

        /// <summary>
        /// Reads <paramref name="data"/>. <paramref name="externalConfigJson"/> is the architecture beside a weights-only file
        /// (needed for the Keras 3 layout, whose paths follow the layers' classes); otherwise null.
        /// </summary>
        public static FormatResult<KerasModelFile> Read(byte[] data, string? externalConfigJson = null)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            try
            {
                if (ZipReader.HasSignature(data)) return FormatResult<KerasModelFile>.Ok(ReadZip(data));
                if (Hdf5File.HasSignature(data)) return FormatResult<KerasModelFile>.Ok(ReadH5(data, externalConfigJson));
                return FormatResult<KerasModelFile>.Fail("it is neither a .keras zip nor an HDF5 file");
            }
            catch (FileFormatException e)
            {
                return FormatResult<KerasModelFile>.Fail(e.Message);
            }
        }

        private static KerasModelFile ReadZip(byte[] data)
        {
            ZipReader zip = Unwrap(ZipReader.Open(data));
            string config = Text(zip, "config.json");
            string? version = null;
            if (zip.Find("metadata.json") is not null)
            {
                string metadata = Text(zip, "metadata.json");
                version = JsonStringField(metadata, "keras_version");
            }
            ZipEntry weightsEntry = zip.Find("model.weights.h5") ?? throw new FileFormatException(
                zip.Find("model.weights.npz") is not null
                    ? ".keras zip: its weights are in model.weights.npz, which is not supported (model.weights.h5 is)"
                    : ".keras zip: it has no model.weights.h5 entry");
            byte[] weights = Unwrap(zip.Read(weightsEntry));
            Hdf5File h5 = Unwrap(Hdf5File.Open(weights));
            List<KerasLayerWeights> layers = ReadClassLayout(h5, config, "model.weights.h5 in the .keras zip");
            return new KerasModelFile(ZipFormat, config, version, null, layers);
        }

        private static KerasModelFile ReadH5(byte[] data, string? externalConfigJson)
        {
            Hdf5File h5 = Unwrap(Hdf5File.Open(data));
            Hdf5Object root = h5.Root;
            string? config = ScalarString(root, "model_config");
            if (config is not null)
            {
                Hdf5Object weightsGroup = root.Child("model_weights") ?? throw new FileFormatException("the .h5 file has a model_config but no model_weights group");
                string? version = ScalarString(root, "keras_version") ?? ScalarString(weightsGroup, "keras_version");
                string? backend = ScalarString(root, "backend") ?? ScalarString(weightsGroup, "backend");
                return new KerasModelFile(FullH5Format, config, version, backend, ReadLegacyLayers(weightsGroup));
            }
            if (HasStringList(root, "layer_names"))
            {
                return new KerasModelFile(WeightsH5Format, null, ScalarString(root, "keras_version"), ScalarString(root, "backend"), ReadLegacyLayers(root));
            }
            if (root.Child("layers") is not null || root.Child("_layer_checkpoint_dependencies") is not null)
            {
                if (externalConfigJson is not null) return new KerasModelFile(WeightsH5Format, null, null, null, ReadClassLayout(h5, externalConfigJson, "the weights file"));
                return new KerasModelFile(WeightsH5Format, null, null, null, ReadClassGroups(h5)) { UnorderedClassLayout = true };
            }
            throw new FileFormatException("the HDF5 file is not a Keras file: it has neither model_config, layer_names nor a layers group");
        }

        private static List<KerasLayerWeights> ReadLegacyLayers(Hdf5Object group)
        {
            string[] names = StringList(group, "layer_names") ?? throw new FileFormatException($"group '{group.Path}' has no layer_names attribute");
            var layers = new List<KerasLayerWeights>(names.Length);
            foreach (string name in names)
            {
                Hdf5Object layerGroup = group.Child(name) ?? throw new FileFormatException($"layer '{name}' is listed in layer_names but has no group in '{group.Path}'");
                string[] weightNames = StringList(layerGroup, "weight_names") ?? new string[0];
                if (weightNames.Length > MaxWeightsPerLayer) throw new FileFormatException($"layer '{name}' lists {weightNames.Length} weights");
                var weights = new List<KerasTensor>(weightNames.Length);
                foreach (string weightName in weightNames)
                {
                    Hdf5Object dataset = layerGroup.Get(weightName) ?? throw new FileFormatException($"weight '{weightName}' of layer '{name}' is listed in weight_names but missing from the file");
                    weights.Add(Tensor(dataset, weightName, name));
                }
                layers.Add(new KerasLayerWeights(name, null, weights));
            }
            return layers;
        }

        private static List<KerasLayerWeights> ReadClassLayout(Hdf5File h5, string configJson, string where)
        {
            KeyValuePair<string, List<KerasConfigLayer>> model = KerasConfigLayers.Read(configJson);
            Hdf5Object? container = h5.Root.Child("layers") ?? h5.Root.Child("_layer_checkpoint_dependencies");
            var layers = new List<KerasLayerWeights>();
            // Sequential.layers leaves the InputLayer out; functional models list theirs (they hold no weights either way).
            var byClass = new Dictionary<string, List<Hdf5Link>>(StringComparer.Ordinal);
            var used = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (KerasConfigLayer layer in model.Value)
            {
                if (layer.ClassName == "InputLayer")
                {
                    layers.Add(new KerasLayerWeights(layer.Name, layer.ClassName, new KerasTensor[0]));
                    continue;
                }
                string key = SnakeCase(ShortClassName(layer.ClassName));
                if (!byClass.TryGetValue(key, out List<Hdf5Link>? groups))
                {
                    groups = container is null ? new List<Hdf5Link>() : GroupsOfClass(container, key);
                    byClass.Add(key, groups);
                }
                used.TryGetValue(key, out int index);
                used[key] = index + 1;
                if (index >= groups.Count)
                {
                    if (container is null) throw new FileFormatException($"{where} has no layers group, so the weights of layer '{layer.Name}' ({layer.ClassName}) are missing");
                    throw new FileFormatException($"{where} has {groups.Count} group(s) for class {layer.ClassName} ('{container.Path}/{key}...'), but the config lists more such layers; layer '{layer.Name}' has no weights");
                }
                Hdf5Object group = h5.GetObject(groups[index].Address, container!.Path + "/" + groups[index].Name);
                layers.Add(new KerasLayerWeights(layer.Name, layer.ClassName, Vars(group.Child("vars"), layer.Name)));
            }
            return layers;
        }

        /// <summary>
        /// The Keras 3 layout without the architecture: each group under <c>layers/</c> as a layer named after its group, the
        /// groups of one class in the order of their suffixes (which is their layers' order); the order across classes is unknown.
        /// </summary>
        private static List<KerasLayerWeights> ReadClassGroups(Hdf5File h5)
        {
            Hdf5Object container = h5.Root.Child("layers") ?? h5.Root.Child("_layer_checkpoint_dependencies")!;
            var keys = new SortedSet<string>(StringComparer.Ordinal);
            foreach (Hdf5Link link in container.Links) keys.Add(ClassKey(link.Name));
            var layers = new List<KerasLayerWeights>();
            foreach (string key in keys)
            {
                foreach (Hdf5Link link in GroupsOfClass(container, key))
                {
                    Hdf5Object group = h5.GetObject(link.Address, container.Path + "/" + link.Name);
                    layers.Add(new KerasLayerWeights(link.Name, null, Vars(group.Child("vars"), link.Name)));
                }
            }
            return layers;
        }

        /// <summary>The class key of a group name: <c>dense_3</c> → <c>dense</c>.</summary>
        internal static string ClassKey(string groupName)
        {
            int cut = groupName.LastIndexOf('_');
            if (cut > 0 && cut < groupName.Length - 1)
            {
                bool digits = true;
                for (int i = cut + 1; i < groupName.Length; i++) digits &= groupName[i] >= '0' && groupName[i] <= '9';
                if (digits) return groupName.Substring(0, cut);
            }
            return groupName;
        }

        private static List<KerasTensor> Vars(Hdf5Object? vars, string layer)
        {
            var weights = new List<KerasTensor>();
            if (vars is null) return weights;
            for (int i = 0; ; i++)
            {
                if (i > MaxWeightsPerLayer) throw new FileFormatException($"layer '{layer}' has more than {MaxWeightsPerLayer} weights");
                Hdf5Object? dataset = vars.Child(i.ToString(CultureInfo.InvariantCulture));
                if (dataset is null) break;
                weights.Add(Tensor(dataset, "vars/" + i.ToString(CultureInfo.InvariantCulture), layer));
            }
            if (weights.Count != vars.Links.Count) throw new FileFormatException($"the weights of layer '{layer}' ('{vars.Path}') are not numbered 0 to {vars.Links.Count - 1}");
            return weights;
        }

        /// <summary>The groups of <paramref name="container"/> named <c>{key}</c> or <c>{key}_{n}</c>, by their suffix.</summary>
        private static List<Hdf5Link> GroupsOfClass(Hdf5Object container, string key)
        {
            var found = new List<KeyValuePair<long, Hdf5Link>>();
            foreach (Hdf5Link link in container.Links)
            {
                if (link.Name == key)
                {
                    found.Add(new KeyValuePair<long, Hdf5Link>(0, link));
                }
                else if (link.Name.Length > key.Length + 1 && link.Name.StartsWith(key + "_", StringComparison.Ordinal) &&
                         long.TryParse(link.Name.Substring(key.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long suffix) &&
                         link.Name.Substring(key.Length + 1) == suffix.ToString(CultureInfo.InvariantCulture))
                {
                    found.Add(new KeyValuePair<long, Hdf5Link>(suffix, link));
                }
            }
            found.Sort((a, b) => a.Key.CompareTo(b.Key));
            var result = new List<Hdf5Link>(found.Count);
            foreach (KeyValuePair<long, Hdf5Link> pair in found) result.Add(pair.Value);
            return result;
        }

        /// <summary>A registered class name such as <c>qkeras&gt;QDense</c> loses its package.</summary>
        private static string ShortClassName(string className)
        {
            int cut = className.LastIndexOf('>');
            return cut >= 0 ? className.Substring(cut + 1) : className;
        }

        /// <summary>Keras's <c>naming.to_snake_case</c>: <c>Dense</c> → <c>dense</c>, <c>LeakyReLU</c> → <c>leaky_re_lu</c>, <c>QDense</c> → <c>q_dense</c>.</summary>
        internal static string SnakeCase(string name)
        {
            var clean = new StringBuilder();
            foreach (char c in name)
            {
                if (char.IsLetterOrDigit(c) || c == '_') clean.Append(c);
            }
            string s = clean.ToString();
            // re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
            var first = new StringBuilder();
            for (int i = 0; i < s.Length; i++)
            {
                if (i > 0 && IsUpper(s[i]) && i + 1 < s.Length && IsLower(s[i + 1]))
                {
                    first.Append('_');
                }
                first.Append(s[i]);
            }
            // re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
            string t = first.ToString();
            var second = new StringBuilder();
            for (int i = 0; i < t.Length; i++)
            {
                second.Append(t[i]);
                if (IsLower(t[i]) && i + 1 < t.Length && IsUpper(t[i + 1])) second.Append('_');
            }
            return second.ToString().ToLowerInvariant();
        }

        private static bool IsUpper(char c) => c >= 'A' && c <= 'Z';

        private static bool IsLower(char c) => c >= 'a' && c <= 'z';

        private static KerasTensor Tensor(Hdf5Object dataset, string name, string layer)
        {
            if (!dataset.IsDataset) throw new FileFormatException($"weight '{name}' of layer '{layer}' is not a dataset");
            Hdf5Datatype type = dataset.Datatype;
            if (type.IsInteger && dataset.Shape.Length == 0)
            {
                // A scalar integer: Normalization's sample count (Keras stores it as int64). It takes no part in a forward
                // pass; kept as its value so that the layer's tensors line up.
                double[] count = dataset.ReadDoubles();
                return new KerasTensor(name, new int[0], count.Length == 1 ? new[] { (float)count[0] } : new float[0]);
            }
            if (!type.IsFloat || type.Size != 4)
            {
                throw new FileFormatException($"weight '{name}' of layer '{layer}' is {type.Describe()}; ModelGen models are float32, so a {type.Describe()} model cannot be loaded without changing its numbers");
            }
            long[] shape = dataset.Shape;
            var dims = new int[shape.Length];
            for (int i = 0; i < shape.Length; i++) dims[i] = (int)shape[i];
            return new KerasTensor(name, dims, dataset.ReadFloat32());
        }

        private static string? ScalarString(Hdf5Object obj, string name)
        {
            Hdf5Attribute? attribute = obj.Attribute(name);
            if (attribute is null || !attribute.IsString) return null;
            string[] values = attribute.ReadStrings();
            return values.Length == 1 ? values[0] : null;
        }

        private static bool HasStringList(Hdf5Object obj, string name) => obj.Attribute(name) is not null || obj.Attribute(name + "0") is not null;

        /// <summary>A list attribute as Keras's <c>load_attributes_from_hdf5_group</c> reads it (whole, or split into numbered chunks).</summary>
        private static string[]? StringList(Hdf5Object obj, string name)
        {
            Hdf5Attribute? whole = obj.Attribute(name);
            if (whole is not null) return Strings(whole, obj, name);
            if (obj.Attribute(name + "0") is null) return null;
            var all = new List<string>();
            for (int chunk = 0; ; chunk++)
            {
                if (chunk >= MaxAttributeChunks) throw new FileFormatException($"attribute '{name}' of '{obj.Path}' is split into more than {MaxAttributeChunks} chunks");
                Hdf5Attribute? part = obj.Attribute(name + chunk.ToString(CultureInfo.InvariantCulture));
                if (part is null) break;
                all.AddRange(Strings(part, obj, name));
            }
            return all.ToArray();
        }

        private static string[] Strings(Hdf5Attribute attribute, Hdf5Object obj, string name)
        {
            if (attribute.IsString) return attribute.ReadStrings();
            // h5py stores an empty Python list as an empty float64 array.
            if (attribute.Dataspace.ElementCount == 0) return new string[0];
            throw new FileFormatException($"attribute '{name}' of '{obj.Path}' holds {attribute.Datatype.Describe()} values, not names");
        }

        private static string Text(ZipReader zip, string name)
        {
            ZipEntry entry = zip.Find(name) ?? throw new FileFormatException($".keras zip: it has no {name} entry");
            if (entry.UncompressedSize > MaxTextEntryBytes) throw new FileFormatException($".keras zip: {name} has {entry.UncompressedSize} bytes, more than the limit of {MaxTextEntryBytes}");
            byte[] bytes = Unwrap(zip.Read(entry));
            return Encoding.UTF8.GetString(bytes);
        }

        /// <summary>
        /// A top-level string field of a small JSON object (metadata.json), read with the shared <see cref="JsonReader"/>;
        /// null when the text is not a JSON object or the field is absent or not a string (the version is informational:
        /// a damaged metadata.json costs the version, not the model).
        /// </summary>
        private static string? JsonStringField(string json, string field) =>
            JsonReader.Parse(json, CancellationToken.None, out _) is { IsObject: true } root ? root[field]?.StringValue : null;

        private static T Unwrap<T>(FormatResult<T> result)
            where T : class
            => result.Value ?? throw new FileFormatException(result.Error ?? "unreadable");
    }
}
