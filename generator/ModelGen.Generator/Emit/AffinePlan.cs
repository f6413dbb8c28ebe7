using ModelGen.Formats;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Emit
{
    /// <summary>The non-trainable state of a model's affine layers and the maps folded from it (shared by the resolver's check and the emitter).</summary>
    internal static class AffinePlan
    {
        /// <summary>The embedded state, or Keras's initial values when nothing is compiled in.</summary>
        public static float[] State(NetworkSpec spec)
        {
            if (spec.State.Count == spec.StateCount && spec.State.Count > 0) return spec.State.AsSpan().ToArray();
            var state = new float[spec.StateCount];
            foreach (LayerSpec layer in spec.Layers)
            {
                if (layer.Kind == LayerKind.Affine) AffineFold.Initial(layer.Affine.Kind, layer.Units, layer.Affine.Center, layer.Affine.Scale, layer.Affine.Stored, state, layer.StateOffset);
            }
            return state;
        }

        /// <summary>The folded maps of <paramref name="state"/> (per affine layer: scale, then offset); throws naming the layer when it cannot be folded.</summary>
        public static float[] Folded(NetworkSpec spec, float[] state)
        {
            string? error = Fold(spec, state, out float[] folded);
            if (error is not null) throw new System.InvalidOperationException(error);
            return folded;
        }

        /// <summary>Folds every affine layer; returns why a layer cannot be folded (naming it), or null.</summary>
        public static string? Fold(NetworkSpec spec, float[] state, out float[] folded)
        {
            folded = new float[spec.FoldedCount];
            for (int l = 0; l < spec.Layers.Count; l++)
            {
                LayerSpec layer = spec.Layers[l];
                if (layer.Kind != LayerKind.Affine) continue;
                AffineSpec a = layer.Affine;
                string? error = AffineFold.Fold(a.Kind, layer.Units, a.Epsilon, a.Center, a.Scale, a.Invert, a.Constants.AsSpan().ToArray(), state, layer.StateOffset, folded, layer.FoldedOffset);
                if (error is not null) return $"layer {l} ({a.ClassName}{(string.IsNullOrEmpty(a.Name) ? "" : " '" + a.Name + "'")}): {error}";
            }
            return null;
        }
    }
}
