# source: https://github.com/rasbt/faster-pytorch-blog/blob/6eaf5367f347c81286d229f46d68ff0d10858eac/1_pytorch-distilbert.py
# expect: clean
# pitfall: none: train() calls `outputs["loss"].backward()` on a forward made in grad mode, then rebinds `outputs` under `with torch.no_grad():` in the validation pass; the next epoch's training step makes a fresh `outputs` in grad mode again, so no backward ever sees a no-grad tensor. DistilBERT is replaced by a small classifier returning the same dict, torchmetrics' Accuracy by a counter, the IMDB loaders by two batches
import torch
import torch.nn as nn


class SequenceClassifierStub(nn.Module):
    def __init__(self, vocab=50, num_labels=2):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab, 16)
        self.head = nn.Linear(16, num_labels)

    def forward(self, input_ids, attention_mask=None, labels=None):
        logits = self.head(self.embed(input_ids))
        return {"loss": nn.functional.cross_entropy(logits, labels), "logits": logits}


class Accuracy:
    def __init__(self):
        self.correct, self.total = 0, 0

    def update(self, preds, target):
        self.correct += int((preds == target).sum())
        self.total += int(target.numel())

    def compute(self):
        return self.correct / max(1, self.total)


def train(num_epochs, model, optimizer, train_loader, val_loader, device):
    for epoch in range(num_epochs):
        train_acc = Accuracy()

        for batch_idx, batch in enumerate(train_loader):
            model.train()
            for s in ["input_ids", "attention_mask", "label"]:
                batch[s] = batch[s].to(device)

            ### FORWARD AND BACK PROP
            outputs = model(
                batch["input_ids"],
                attention_mask=batch["attention_mask"],
                labels=batch["label"],
            )
            optimizer.zero_grad()
            outputs["loss"].backward()

            ### UPDATE MODEL PARAMETERS
            optimizer.step()

            ### LOGGING
            if not batch_idx % 300:
                print(
                    f"Epoch: {epoch+1:04d}/{num_epochs:04d} | Batch {batch_idx:04d}/{len(train_loader):04d} | Loss: {outputs['loss']:.4f}"
                )

            model.eval()
            with torch.no_grad():
                predicted_labels = torch.argmax(outputs["logits"], 1)
                train_acc.update(predicted_labels, batch["label"])

        ### MORE LOGGING
        with torch.no_grad():
            model.eval()
            val_acc = Accuracy()
            for batch in val_loader:
                for s in ["input_ids", "attention_mask", "label"]:
                    batch[s] = batch[s].to(device)
                outputs = model(
                    batch["input_ids"],
                    attention_mask=batch["attention_mask"],
                    labels=batch["label"],
                )
                predicted_labels = torch.argmax(outputs["logits"], 1)
                val_acc.update(predicted_labels, batch["label"])

            print(
                f"Epoch: {epoch+1:04d}/{num_epochs:04d} | Train acc.: {train_acc.compute()*100:.2f}% | Val acc.: {val_acc.compute()*100:.2f}%"
            )


def make_batch():
    return {"input_ids": torch.randint(0, 50, (4, 7)),
            "attention_mask": torch.ones(4, 7, dtype=torch.long),
            "label": torch.randint(0, 2, (4,))}


device = "cpu"
torch.manual_seed(123)
model = SequenceClassifierStub()
model.to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=5e-5)
train(
    num_epochs=2,
    model=model,
    optimizer=optimizer,
    train_loader=[make_batch(), make_batch()],
    val_loader=[make_batch()],
    device=device,
)
