using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;

namespace ModelGen.Generator.Model
{
    /// <summary>
    /// An immutable array with sequence equality, so that specs holding arrays compare by value and the
    /// incremental pipeline can cache them.
    /// </summary>
    internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IEnumerable<T>
        where T : IEquatable<T>
    {
        private readonly T[]? _items;

        /// <summary>Wraps <paramref name="items"/> (not copied; the caller gives up ownership).</summary>
        public EquatableArray(T[] items) => _items = items;

        /// <summary>Number of items.</summary>
        public int Count => _items?.Length ?? 0;

        /// <summary>The item at <paramref name="index"/>.</summary>
        public T this[int index] => _items![index];

        /// <summary>The items as a span.</summary>
        public ReadOnlySpan<T> AsSpan() => _items;

        /// <inheritdoc/>
        public bool Equals(EquatableArray<T> other) => AsSpan().SequenceEqual(other.AsSpan());

        /// <inheritdoc/>
        public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

        /// <inheritdoc/>
        public override int GetHashCode()
        {
            int hash = 17;
            if (_items is not null)
            {
                foreach (T item in _items) hash = unchecked(hash * 31 + item.GetHashCode());
            }
            return hash;
        }

        /// <inheritdoc/>
        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>Equality operator.</summary>
        public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

        /// <summary>Inequality operator.</summary>
        public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
    }

    /// <summary>Helpers to build <see cref="EquatableArray{T}"/>.</summary>
    internal static class EquatableArray
    {
        /// <summary>Copies <paramref name="items"/> into an equatable array.</summary>
        public static EquatableArray<T> From<T>(IEnumerable<T> items) where T : IEquatable<T> => new(System.Linq.Enumerable.ToArray(items));
    }
}
