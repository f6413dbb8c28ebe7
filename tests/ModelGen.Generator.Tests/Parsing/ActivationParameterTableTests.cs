using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using ModelGen.Generator.Model;
using Xunit;

namespace ModelGen.Generator.Tests.Parsing
{
    /// <summary>
    /// The activation parameter table (<c>ActivationCatalog.ParameterTable</c>, linked into the generator) against what
    /// it must agree with: the public attribute properties, the fields of <see cref="ActivationSpec"/>, the JSON keys, and
    /// Keras's documented defaults (written out here by hand, from the Keras 3 <c>keras.activations</c> docs).
    /// </summary>
    public sealed class ActivationParameterTableTests
    {
        private static readonly Assembly s_generator = typeof(ModelGenGenerator).Assembly;
        private static readonly Type s_catalog = s_generator.GetType("ModelGen.ActivationCatalog", throwOnError: true)!;
        private static readonly Type s_activation = s_generator.GetType("ModelGen.Activation", throwOnError: true)!;

        private sealed record Row(string Property, string JsonKey, float Default, object Raw);

        private static IReadOnlyList<Row> Table()
        {
            var rows = (Array)s_catalog.GetField("ParameterTable", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
            return rows.Cast<object>().Select(r =>
            {
                Type t = r.GetType();
                return new Row((string)t.GetProperty("Property")!.GetValue(r)!, (string)t.GetProperty("JsonKey")!.GetValue(r)!, (float)t.GetProperty("Default")!.GetValue(r)!, r);
            }).ToList();
        }

        private static bool Call(Row row, string method, string activation) =>
            (bool)row.Raw.GetType().GetMethod(method)!.Invoke(row.Raw, new[] { Enum.Parse(s_activation, activation) })!;

        private static string[] Sorted(IEnumerable<string> names) => names.OrderBy(n => n, StringComparer.Ordinal).ToArray();

        [Fact]
        public void EveryRowIsAnAttributePropertyOnBothLayerAttributes()
        {
            string[] table = Sorted(Table().Select(r => r.Property));
            foreach (Type attribute in new[] { typeof(DenseAttribute), typeof(ActivationAttribute) })
            {
                string[] floats = Sorted(attribute.GetProperties().Where(p => p.PropertyType == typeof(float) && p.CanWrite).Select(p => p.Name));
                Assert.Equal(table, floats);
            }
        }

        [Fact]
        public void EveryRowIsAnActivationSpecFieldAndWithSetsIt()
        {
            IReadOnlyList<Row> rows = Table();
            string[] fields = Sorted(typeof(ActivationSpec).GetProperties().Where(p => p.PropertyType == typeof(float)).Select(p => p.Name));
            Assert.Equal(Sorted(rows.Select(r => r.Property)), fields);
            foreach (Row row in rows)
            {
                var kind = row.Raw.GetType().GetProperty("Kind")!.GetValue(row.Raw)!;
                ActivationSpec spec = ActivationSpec.Linear;
                spec = (ActivationSpec)typeof(ActivationSpec).GetMethod("With")!.Invoke(spec, new[] { kind, 2.5f })!;
                foreach (string field in fields)
                {
                    float value = (float)typeof(ActivationSpec).GetProperty(field)!.GetValue(spec)!;
                    Assert.Equal(field == row.Property ? 2.5f : float.NaN, value);
                }
            }
        }

        [Fact]
        public void JsonKeysAreTheSnakeCaseOfTheProperties()
        {
            foreach (Row row in Table())
            {
                var snake = new StringBuilder();
                foreach (char c in row.Property)
                {
                    if (char.IsUpper(c) && snake.Length > 0) snake.Append('_');
                    snake.Append(char.ToLowerInvariant(c));
                }
                Assert.Equal(snake.ToString(), row.JsonKey);
            }
        }

        [Theory]
        // activation, parameter, Keras default ("required" when Keras gives none)
        [InlineData("Elu", "Alpha", "1")]
        [InlineData("Celu", "Alpha", "1")]
        [InlineData("LeakyRelu", "NegativeSlope", "0.2")]
        [InlineData("SoftShrink", "Threshold", "0.5")]
        [InlineData("HardShrink", "Threshold", "0.5")]
        [InlineData("Squareplus", "B", "4")]
        [InlineData("Threshold", "Threshold", "required")]
        [InlineData("Threshold", "DefaultValue", "required")]
        public void KerasDefaults(string activation, string parameter, string expected)
        {
            Row row = Table().Single(r => r.Property == parameter);
            Assert.True(Call(row, "IsTakenBy", activation));
            Assert.Equal(expected == "required", Call(row, "IsRequiredBy", activation));
            if (expected != "required") Assert.Equal(float.Parse(expected, CultureInfo.InvariantCulture), row.Default);
        }

        [Fact]
        public void OnlyTheListedActivationsTakeParameters()
        {
            var takers = new HashSet<string>(StringComparer.Ordinal) { "Elu", "Celu", "LeakyRelu", "SoftShrink", "HardShrink", "Squareplus", "Threshold" };
            foreach (string activation in Enum.GetNames(s_activation))
            {
                bool takesAny = Table().Any(r => Call(r, "IsTakenBy", activation));
                Assert.True(takesAny == takers.Contains(activation), activation);
            }
        }
    }
}
