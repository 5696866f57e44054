# source: https://github.com/pytorch/pytorch/issues/1840
# expect: AG010
# pitfall: sum_log_likelihood += neg_log_likelihood keeps the graph of all previous steps forever (soumith: "This will keep the graph of all previous timesteps forever"); GPU memory grows until OOM
import torch
import torch.nn as nn


class BiLSTM_CRF(nn.Module):
    def __init__(self, vocab_size, tagset_size, embedding_dim, hidden_dim):
        super(BiLSTM_CRF, self).__init__()
        self.word_embeds = nn.Embedding(vocab_size, embedding_dim)
        self.hidden2tag = nn.Linear(embedding_dim, tagset_size)

    def neg_log_likelihood(self, sentence, tags):
        feats = self.hidden2tag(self.word_embeds(sentence))
        return nn.functional.cross_entropy(feats, tags)


training_data = [([0, 1, 2], [0, 1, 0]), ([2, 1], [1, 1])]
model = BiLSTM_CRF(3, 2, 4, 4)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, weight_decay=1e-4)

sum_log_likelihood = 0
for epoch in range(3):
    for sentence, tags in training_data:
        model.zero_grad()
        sentence_in = torch.tensor(sentence, dtype=torch.long)
        targets = torch.tensor(tags, dtype=torch.long)
        neg_log_likelihood = model.neg_log_likelihood(sentence_in, targets)
        sum_log_likelihood += neg_log_likelihood
        neg_log_likelihood.backward()
        optimizer.step()
