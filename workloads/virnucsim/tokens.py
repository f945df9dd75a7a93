"""Token ids for the two language models, and padding into rectangular batches.

ESM-2: the alphabet of fair-esm's ESM-2 models (33 tokens: <cls>=0, <pad>=1, <eos>=2,
<unk>=3, the residues L A G V S E R T I D P K Q N F Y M H W C X B U Z O . - from 4 to
30, <null_1>=31, <mask>=32). A protein becomes <cls> residues <eos>, truncated to 1024
residues as VirNucPro does; unknown letters become <unk>.

DNABERT-S: the real model uses a BPE vocabulary of 4096 DNA pieces plus 5 specials
([UNK]=0, [CLS]=1, [SEP]=2, [PAD]=3, [MASK]=4: vocab 4101). Without its tokenizer we
cut the sequence into non-overlapping 5-mers: BPE on DNA averages about 5 bases a
token (DNABERT-2 paper), so 5-mers give the same sequence lengths, hence the same
compute. A full 5-mer of A/C/G/T maps to 5 + its base-4 value (5..1028); a shorter
tail k-mer (1..4 bases) to its own ids after those (1029..1368); any k-mer with
another letter maps to [UNK]. [CLS] and [SEP] wrap the sequence, at most 512 tokens.
"""

ESM_ALPHABET = (
    ["<cls>", "<pad>", "<eos>", "<unk>"]
    + list("LAGVSERTIDPKQNFYMHWCXBUZO.-")
    + ["<null_1>", "<mask>"]
)
ESM_CLS, ESM_PAD, ESM_EOS, ESM_UNK = 0, 1, 2, 3
ESM_MASK = ESM_ALPHABET.index("<mask>")
ESM_VOCAB_SIZE = len(ESM_ALPHABET)
ESM_MAX_RESIDUES = 1024
_ESM_INDEX = {token: index for index, token in enumerate(ESM_ALPHABET) if len(token) == 1}

DNA_UNK, DNA_CLS, DNA_SEP, DNA_PAD, DNA_MASK = 0, 1, 2, 3, 4
DNA_VOCAB_SIZE = 4101
DNA_KMER = 5
DNA_MAX_TOKENS = 512
_DNA_DIGIT = {"A": 0, "C": 1, "G": 2, "T": 3}
_DNA_FULL_BASE = 5
# First id of the tail k-mers of each length 1..DNA_KMER-1, packed after the full ones.
_DNA_TAIL_BASE = {}
_next = _DNA_FULL_BASE + 4**DNA_KMER
for _length in range(1, DNA_KMER):
    _DNA_TAIL_BASE[_length] = _next
    _next += 4**_length
del _next, _length


def esm_tokens(protein):
    """Token ids of one protein for ESM-2: <cls>, residues (at most 1024), <eos>."""
    residues = protein[:ESM_MAX_RESIDUES]
    return [ESM_CLS] + [_ESM_INDEX.get(aa, ESM_UNK) for aa in residues] + [ESM_EOS]


def _kmer_id(kmer):
    value = 0
    for base in kmer:
        digit = _DNA_DIGIT.get(base)
        if digit is None:
            return DNA_UNK
        value = value * 4 + digit
    if len(kmer) == DNA_KMER:
        return _DNA_FULL_BASE + value
    return _DNA_TAIL_BASE[len(kmer)] + value


def dna_tokens(nucleotide):
    """Token ids of one DNA sequence for DNABERT-S: [CLS], 5-mers, [SEP] (<= 512)."""
    kmers = [nucleotide[i : i + DNA_KMER] for i in range(0, len(nucleotide), DNA_KMER)]
    return [DNA_CLS] + [_kmer_id(k) for k in kmers[: DNA_MAX_TOKENS - 2]] + [DNA_SEP]


def collate(token_lists, pad_id, pool_specials):
    """Pads a batch to its longest member.

    Returns (ids, attention, pool) as lists of equal-length rows: attention is 1 on real
    tokens; pool is 1 on the tokens the mean runs over, that is every real token, or,
    with `pool_specials=False`, every real token but the first and the last (ESM-2's
    <cls> and <eos>, as VirNucPro averages residues only).
    """
    width = max(len(tokens) for tokens in token_lists)
    ids, attention, pool = [], [], []
    for tokens in token_lists:
        n = len(tokens)
        padding = width - n
        ids.append(list(tokens) + [pad_id] * padding)
        attention.append([1] * n + [0] * padding)
        if pool_specials:
            pool.append([1] * n + [0] * padding)
        else:
            pool.append([0] + [1] * (n - 2) + [0] + [0] * padding)
    return ids, attention, pool
