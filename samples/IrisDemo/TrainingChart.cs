using System.Linq;
using ModelGen;

/// <summary>Draws a training history's loss and accuracy curves (training and validation) to a PNG with ScottPlot.</summary>
static class TrainingChart
{
    /// <summary>Writes the chart of <paramref name="history"/> to <paramref name="path"/> (800 x 450 pixels).</summary>
    public static void Write(TrainingHistory history, string path)
    {
        var plot = new ScottPlot.Plot();
        double[] epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        plot.Add.Scatter(epochs, history.Epochs.Select(e => (double)e.Loss).ToArray()).LegendText = "training loss";
        plot.Add.Scatter(epochs, history.Epochs.Select(e => (double)(e.ValidationLoss ?? float.NaN)).ToArray()).LegendText = "validation loss";
        var accuracy = plot.Add.Scatter(epochs, history.Epochs.Select(e => (double)(e.Accuracy ?? float.NaN)).ToArray());
        accuracy.LegendText = "training accuracy";
        accuracy.Axes.YAxis = plot.Axes.Right;
        var validationAccuracy = plot.Add.Scatter(epochs, history.Epochs.Select(e => (double)(e.ValidationAccuracy ?? float.NaN)).ToArray());
        validationAccuracy.LegendText = "validation accuracy";
        validationAccuracy.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "accuracy";
        plot.Axes.SetLimitsY(0, 1, plot.Axes.Right);
        plot.Title("IrisNet training");
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.ShowLegend(ScottPlot.Alignment.MiddleRight);
        plot.SavePng(path, 800, 450);
    }
}
