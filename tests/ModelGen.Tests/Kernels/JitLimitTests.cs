using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using Xunit;
using Xunit.Abstractions;

namespace ModelGen.Tests.Kernels
{
    /// <summary>
    /// RyuJIT compiles a method without optimization (MinOpts) past 60,000 IL bytes, 20,000 IL instructions,
    /// 2,000 basic blocks, 2,000 locals or 8,000 local references (DEFAULT_MIN_OPTS_* in src/coreclr/jit/compiler.cpp).
    /// Every method the generator wrote into this assembly must stay under all of them.
    /// </summary>
    public class JitLimitTests
    {
        private readonly ITestOutputHelper _output;

        public JitLimitTests(ITestOutputHelper output) => _output = output;

        private static readonly Dictionary<short, OpCode> s_opcodes = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value);

        internal readonly record struct IlStats(int Bytes, int Instructions, int BasicBlocks, int Locals, int LocalReferences);

        internal static IlStats Measure(MethodBase method)
        {
            MethodBody body = method.GetMethodBody()!;
            byte[] il = body.GetILAsByteArray()!;
            var leaders = new SortedSet<int> { 0 };
            int instructions = 0, localRefs = 0, pc = 0;
            while (pc < il.Length)
            {
                short value = il[pc] == 0xFE ? (short)(0xFE00 | il[pc + 1]) : il[pc];
                OpCode op = s_opcodes[value];
                pc += op.Size;
                int operand = op.OperandType switch
                {
                    OperandType.InlineNone => 0,
                    OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                    OperandType.InlineVar => 2,
                    OperandType.InlineI8 or OperandType.InlineR => 8,
                    OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pc),
                    _ => 4,
                };
                int next = pc + operand;
                if (op.OperandType == OperandType.ShortInlineBrTarget) leaders.Add(next + (sbyte)il[pc]);
                if (op.OperandType == OperandType.InlineBrTarget) leaders.Add(next + BitConverter.ToInt32(il, pc));
                if (op.OperandType == OperandType.InlineSwitch)
                {
                    int count = BitConverter.ToInt32(il, pc);
                    for (int k = 0; k < count; k++) leaders.Add(next + BitConverter.ToInt32(il, pc + 4 + 4 * k));
                }
                if (op.FlowControl is FlowControl.Branch or FlowControl.Cond_Branch or FlowControl.Return or FlowControl.Throw && next < il.Length) leaders.Add(next);
                if (op.Name!.StartsWith("ldloc", StringComparison.Ordinal) || op.Name.StartsWith("stloc", StringComparison.Ordinal)) localRefs++;
                instructions++;
                pc = next;
            }
            return new IlStats(il.Length, instructions, leaders.Count, body.LocalVariables.Count, localRefs);
        }

        [Fact]
        public void EveryGeneratedMethodIsUnderTheMinOptsLimits()
        {
            Type[] models = typeof(JitLimitTests).Assembly.GetTypes().Where(t => typeof(IModel).IsAssignableFrom(t) && !t.IsInterface).ToArray();
            Assert.Contains(typeof(Models.Mnist), models);
            var worst = new Dictionary<string, (int Value, string Method)>();
            int measured = 0;
            foreach (Type type in models)
            {
                foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                {
                    if (method.GetMethodBody() is null) continue;
                    IlStats s = Measure(method);
                    measured++;
                    string name = type.Name + "." + method.Name;
                    Assert.True(s.Bytes < 60_000, $"{name}: {s.Bytes} IL bytes");
                    Assert.True(s.Instructions < 20_000, $"{name}: {s.Instructions} IL instructions");
                    Assert.True(s.BasicBlocks < 2_000, $"{name}: {s.BasicBlocks} basic blocks");
                    Assert.True(s.Locals < 2_000, $"{name}: {s.Locals} locals");
                    Assert.True(s.LocalReferences < 8_000, $"{name}: {s.LocalReferences} local references");
                    Track(worst, "bytes", s.Bytes, name);
                    Track(worst, "instructions", s.Instructions, name);
                    Track(worst, "blocks", s.BasicBlocks, name);
                    Track(worst, "locals", s.Locals, name);
                }
            }
            Assert.True(measured > 500, $"only {measured} methods measured");
            foreach (var (key, (value, method)) in worst) _output.WriteLine($"largest {key}: {value} in {method}");
        }

        [Fact]
        public void MnistSizedModelHasEveryMethodSmall()
        {
            foreach (MethodInfo method in typeof(Models.Mnist).GetMethods(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (method.GetMethodBody() is null) continue;
                IlStats s = Measure(method);
                _output.WriteLine($"{method.Name}: {s}");
                Assert.True(s.Bytes < 60_000 && s.Instructions < 20_000 && s.BasicBlocks < 2_000 && s.Locals < 2_000, method.Name + ": " + s);
            }
        }

        private static void Track(Dictionary<string, (int, string)> worst, string key, int value, string method)
        {
            if (!worst.TryGetValue(key, out var current) || current.Item1 < value) worst[key] = (value, method);
        }
    }
}
