# source: https://github.com/GBLin5566/toward-controlled-generation-of-text-pytorch/blob/master/Model/Modules.py
# Encoder, Generator and Discriminator stubbed with the interface train.py calls (the stored
# Modules.py predates it): an LSTM encoder that keeps z_mean / z_sigma on itself, an LSTM
# generator fed one-hot words, a linear discriminator over the soft sentence.
import torch
import torch.nn as nn
import torch.nn.functional as F

BOS = 2


class Encoder(nn.Module):
    def __init__(self, n_src_vocab, d_word_vec=8, d_inner_hid=6):
        super(Encoder, self).__init__()
        self.hidden_size = d_inner_hid
        self.src_word_emb = nn.Embedding(n_src_vocab, d_word_vec)
        self.word_proj = nn.Linear(n_src_vocab, d_word_vec, bias=False)
        self.rnn = nn.LSTM(d_word_vec, d_inner_hid, 1)
        self._enc_mu = nn.Linear(d_inner_hid, d_inner_hid)
        self._enc_log_sigma = nn.Linear(d_inner_hid, d_inner_hid)

    def init_hidden(self, batch_size):
        return (torch.zeros(1, batch_size, self.hidden_size), torch.zeros(1, batch_size, self.hidden_size))

    def forward(self, src_seq, hidden, dont_pass_emb=False):
        if dont_pass_emb:
            enc_input = src_seq.permute(1, 0, 2)
        else:
            enc_input = self.src_word_emb(src_seq).permute(1, 0, 2)
        _, hidden = self.rnn(enc_input, hidden)
        self.z_mean = self._enc_mu(hidden[0][0])
        self.z_sigma = torch.exp(self._enc_log_sigma(hidden[0][0]))
        return hidden


class Generator(nn.Module):
    def __init__(self, n_target_vocab, c_dim=2, d_inner_hid=6, d_word_vec=8):
        super(Generator, self).__init__()
        self.hidden = d_inner_hid + c_dim
        self.c_dim = c_dim
        self.emb = nn.Linear(n_target_vocab, d_word_vec, bias=False)
        self.rnn = nn.LSTM(d_word_vec, self.hidden, 1)
        self.linear = nn.Linear(self.hidden, n_target_vocab)

    def init_hidden_c_for_lstm(self, batch_size):
        return torch.zeros(1, batch_size, self.hidden - self.c_dim)

    def one_hot_to_word_emb(self, one_hot):
        return self.emb(one_hot)

    def forward(self, word, hidden, low_temp=False, one_hot_input=False):
        dec_input = self.emb(word).unsqueeze(0)
        output, hidden = self.rnn(dec_input, hidden)
        pre_soft = self.linear(output[0])
        output = F.softmax(pre_soft / (0.5 if low_temp else 1.0), dim=-1)
        return output, hidden, pre_soft


class Discriminator(nn.Module):
    def __init__(self, n_src_vocab, maxlen, c_dim=2):
        super(Discriminator, self).__init__()
        self.linear = nn.Linear(n_src_vocab * maxlen, c_dim)

    def forward(self, sentence, dont_pass_emb=False):
        return self.linear(sentence.reshape(sentence.size(0), -1))
