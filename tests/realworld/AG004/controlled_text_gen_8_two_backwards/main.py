# source: https://github.com/GBLin5566/toward-controlled-generation-of-text-pytorch/issues/8
# expect: AG004, AG002
# pitfall: train_vae_with_attr_loss backpropagates total_vae_loss, steps the encoder, then backpropagates extra_decoder_loss, whose discriminator term runs on decoder outputs the first backward freed (and whose encoder term saved parameters the step changed: torch 2.13 reports that one first)
# train_vae_with_attr_loss as train.py has it (torch 0.3's `.data[0]` written `.item()`,
# check_cuda an identity); the IMDB data, the sizes and the models (modules.py) are stubbed.
import numpy as np
import torch
from torch.autograd import Variable
from torch.optim import Adam

import modules as Constants
from modules import Encoder, Generator, Discriminator

max_features = 12
maxlen = 5
batch_size = 3
epoch = 1
c_dim = 2
lambda_c = 0.1
lambda_z = 0.1
use_cuda = False

x_train = np.random.randint(3, max_features, size=(3, maxlen))
y_train = np.random.randint(0, c_dim, size=(3,))


def check_cuda(x, use_cuda):
    return x


def get_batch_label(data, label, index, batch_size, testing=False):
    tensor = torch.from_numpy(data[index:index+batch_size]).type(torch.LongTensor)
    input_data = Variable(tensor, volatile=testing, requires_grad=False)
    input_data = check_cuda(input_data, use_cuda)
    label_tensor = torch.from_numpy(label[index:index+batch_size]).type(torch.LongTensor)
    output_data = Variable(label_tensor, volatile=testing, requires_grad=False)
    output_data = check_cuda(output_data, use_cuda)
    return input_data, output_data

# Borrow from https://github.com/ethanluoyc/pytorch-vae/blob/master/vae.py
def latent_loss(z_mean, z_stddev):
    mean_sq = z_mean * z_mean
    stddev_sq = z_stddev * z_stddev
    return 0.5 * torch.mean(mean_sq + stddev_sq - torch.log(stddev_sq) - 1)

encoder = Encoder(n_src_vocab=max_features)
decoder = Generator(n_target_vocab=max_features, c_dim=c_dim)
discriminator = Discriminator(n_src_vocab=max_features, maxlen=maxlen)
criterion = torch.nn.CrossEntropyLoss()
e_opt = Adam(encoder.parameters())
g_opt = Adam(decoder.parameters())

def train_vae_with_attr_loss(encoder, decoder, discriminator):
    for epoch_index in range(epoch):
        for batch, index in enumerate(range(0, len(x_train) - 1, batch_size)):
            encoder.zero_grad()
            decoder.zero_grad()
            vae_loss = 0
            
            input_data, output_data = get_batch_label(x_train, y_train, index, batch_size)
            
            enc_hidden = encoder.init_hidden(len(input_data))
            enc_hidden = encoder(input_data, enc_hidden)
   
            target = np.array([output_data.cpu().data.numpy()]).reshape(-1)
            one_hot_array = np.eye(c_dim)[target]
            
            c = torch.from_numpy(one_hot_array).float()
            var_c = Variable(c, requires_grad=False)
            var_c = check_cuda(var_c, use_cuda)
            # TODO: use iteration along first dim.
            cat_hidden = (torch.cat([enc_hidden[0][0], var_c], dim=1).unsqueeze(0), 
                    torch.cat([decoder.init_hidden_c_for_lstm(len(input_data))[0], var_c], dim=1).unsqueeze(0))

            batch_init_word = np.zeros((batch_size, max_features))
            batch_init_word[np.arange(batch_size), Constants.BOS] = 1
            batch_init_word = Variable(torch.from_numpy(batch_init_word)).float()
            batch_init_word = check_cuda(batch_init_word, use_cuda)

            input_data = input_data.permute(1, 0)
            for index in range(maxlen - 1):
                if 'next_word' in locals():
                    word = next_word.squeeze(1)
                    word = check_cuda(word, use_cuda)
                    output, cat_hidden, pre_soft = decoder(word, cat_hidden, low_temp=True, one_hot_input=True)
                else:
                    word = batch_init_word
                    word = check_cuda(word, use_cuda)
                    output, cat_hidden, pre_soft = decoder(word, cat_hidden, low_temp=True, one_hot_input=True)
                # From one-hot to word embedding
                next_word = output
                correct_word = input_data[index+1]
                vae_loss += criterion(pre_soft.view(-1, max_features), correct_word)
                if len(batch_init_word.size()) == 2:
                    batch_init_word = batch_init_word.unsqueeze(1)
                if len(next_word.size()) == 2:
                    next_word = next_word.unsqueeze(1)
                batch_init_word = torch.cat([batch_init_word, next_word], dim=1)
            # NOTE Latent loss
            ll = latent_loss(encoder.z_mean, encoder.z_sigma)
            # NOTE L_attr_c loss
            generated_sentence = batch_init_word
            discriminator.eval()
            logit = discriminator(generated_sentence, dont_pass_emb=True)
            l_attr_c = criterion(logit, output_data)
            # NOTE L_attr_z loss
            encoder.eval()
            generated_sentence = decoder.one_hot_to_word_emb(generated_sentence)
            encoded_gen = encoder.init_hidden(len(generated_sentence))
            encoded_gen = encoder(generated_sentence, encoded_gen, dont_pass_emb=True)
            l_attr_z = latent_loss(encoder.z_mean, encoder.z_sigma)
            
            avg_loss = vae_loss.item() / maxlen

            total_vae_loss = vae_loss + ll
            extra_decoder_loss = lambda_c * l_attr_c + lambda_z * l_attr_z
            total_vae_loss.backward()
            e_opt.step()
            extra_decoder_loss.backward()
            g_opt.step()

train_vae_with_attr_loss(encoder, decoder, discriminator)
